"""What the policy is told about actors and cases, by the apps that know.

The policy imports no app: the apps above tell it the facts, through hooks they provide in
their ``AppConfig.ready()`` (``core.hooks``):

- ``membership_roles(actor)``: the actor's (organisation id, org role) pairs — ``orgs``;
- ``base_case_facts(actor, cases)``: per case, the actor's roles from memberships and
  participations and the case's standing — ``cases``;
- sources added with ``add_case_roles``: roles the apps above ``cases`` know of — the
  reporters of a case (``intake``), pre-notification grants (``confidentiality``). They can
  only add roles, so a missing source denies more, never less;
- ``in_stewardship(case)``: the SIRT holds the case as maintainer of last resort —
  ``remediation`` (asked only by the one rule that needs it);
- ``prenotify_consented(case)``: the maintainers let the SIRT lead pre-notify members of the
  case — ``confidentiality`` (asked only by the pre-notification rules).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from akrites.core.actors import Actor
from akrites.core.hooks import hook


@dataclass(frozen=True)
class CaseFacts:
    """One actor and one case, as the policy's case rules see them."""

    roles: frozenset[str]  # access.roles case roles
    # The actor's active participations on the case (cases.ParticipantRole values).
    participations: frozenset[str]
    published: bool  # disclosed or closed: observers' access and the embargo rules have ended
    sirt_maintains: bool  # no team, or the case is in SIRT stewardship
    team_less: bool  # the project has no maintainers' team


@hook
def membership_roles(actor: Actor) -> frozenset[tuple[int, str]]:
    """(organisation id, org role) pairs of ``actor``'s memberships (provided by ``orgs``)."""
    raise NotImplementedError


@hook
def base_case_facts(actor: Actor, cases: Sequence[Any]) -> dict[int, CaseFacts]:
    """Facts per case id for ``actor`` (provided by ``cases``); absent for a non-case."""
    raise NotImplementedError


@hook
def in_stewardship(case: Any) -> bool:
    """Whether the SIRT holds ``case`` in stewardship, not yet handed back (``remediation``)."""
    raise NotImplementedError


@hook
def prenotify_consented(case: Any) -> bool:
    """Whether a maintainers' consent to pre-notification by the SIRT lead is in force on
    ``case`` (provided by ``confidentiality``)."""
    raise NotImplementedError


RoleSource = Callable[[Actor, Sequence[Any], Mapping[int, CaseFacts]], Mapping[int, frozenset[str]]]
_sources: list[RoleSource] = []


def add_case_roles(source: RoleSource) -> None:
    """Add a source of case roles: given the actor, the cases and their base facts, the extra
    roles per case id (in a fixed number of queries for the whole list)."""
    if source not in _sources:
        _sources.append(source)


def case_facts_many(actor: Actor, cases: Sequence[Any]) -> dict[int, CaseFacts]:
    """The facts of every case in ``cases`` for ``actor``, by primary key."""
    facts = base_case_facts(actor, cases)
    for source in _sources:
        for case_id, roles in source(actor, cases, facts).items():
            if roles and case_id in facts:
                facts[case_id] = replace(facts[case_id], roles=facts[case_id].roles | roles)
    return facts
