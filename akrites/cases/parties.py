"""Who is a party to a case: what cases tells the policy, and the visible-cases query.

``base_case_facts`` provides ``access.facts.base_case_facts`` (``CasesConfig.ready``): the
actor's roles from memberships (the SIRT; the project's team once notified) and from active
participations, and the case's standing. Apps above add what they know — reporters
(intake), pre-notification grants (confidentiality) — through ``access.facts.add_case_roles``
and, for the one query that lists cases, ``add_visibility``. ``visible_cases`` mirrors the
facts (a test checks they agree).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from akrites.access.facts import CaseFacts
from akrites.access.policy import is_sirt, is_sirt_lead, org_roles
from akrites.access.roles import (
    CASE_VIEWERS,
    DOWNSTREAM,
    MAINTAINER,
    OBSERVER,
    REPORTER,
    SIRT,
    SIRT_LEAD,
    OrgRole,
)
from akrites.accounts.actors import user_of, user_or_none
from akrites.cases.lifecycle import PUBLISHED
from akrites.cases.models import Case, CaseParticipant, ParticipantRole, Status, Visibility
from akrites.core.actors import Actor, SystemActor
from akrites.core.clock import now

_PARTICIPANT_ROLES: dict[str, str] = {
    ParticipantRole.REPORTER: REPORTER,
    ParticipantRole.MAINTAINER: MAINTAINER,
    ParticipantRole.OBSERVER: OBSERVER,
    ParticipantRole.DOWNSTREAM: DOWNSTREAM,
}
# Participations whose role comes from a pre-notification grant (confidentiality decides).
GRANTED = frozenset({ParticipantRole.OBSERVER, ParticipantRole.DOWNSTREAM})


def active_participation() -> Q:
    t = now()
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=t))


def _team_maintainer(actor: Actor, case: Case) -> bool:
    """A maintainer of the project's team, once the maintainers have been told.

    The SIRT screens every report first (floods of invalid reports are what closed projects'
    private channels): until ``notify_maintainers`` — or a disclosure that came first — the
    team is not a party and the case is as invisible to it as to anyone else. Maintainers
    invited to a case individually (a ``maintainer`` participation) are parties from then.
    """
    team = case.project.team_id
    return (
        team is not None
        and case.maintainers_notified_at is not None
        and (team, OrgRole.MAINTAINER) in org_roles(actor)
    )


def base_case_facts(actor: Actor, cases: Sequence[Any]) -> dict[int, CaseFacts]:
    """The facts of each case in ``cases`` for ``actor``, in one query for the list."""
    cases = [c for c in cases if isinstance(c, Case)]
    if not cases:
        return {}
    base: set[str] = set()
    if is_sirt(actor):
        base.add(SIRT)
    if is_sirt_lead(actor):
        base.add(SIRT_LEAD)
    participations: dict[int, set[str]] = {c.pk: set() for c in cases}
    for case_id, role in CaseParticipant.objects.filter(
        active_participation(), case_id__in=list(participations), user=user_of(actor)
    ).values_list("case_id", "role"):
        participations[case_id].add(role)
    facts = {}
    for case in cases:
        mine = participations[case.pk]
        roles = set(base)
        if _team_maintainer(actor, case):
            roles.add(MAINTAINER)
        # A coordinator participation grants nothing by itself: SIRT power comes from
        # membership, so a departed coordinator loses access with their membership.
        roles.update(_PARTICIPANT_ROLES[r] for r in mine - GRANTED if r in _PARTICIPANT_ROLES)
        team_less = case.project.team_id is None
        facts[case.pk] = CaseFacts(
            roles=frozenset(roles),
            participations=frozenset(mine),
            published=case.status in PUBLISHED,
            sirt_maintains=team_less or case.status == Status.STEWARDSHIP,
            team_less=team_less,
        )
    return facts


VisibilityFilter = Callable[[Actor], Q]
_filters: list[VisibilityFilter] = []


def add_visibility(condition: VisibilityFilter) -> None:
    """Add a condition (a ``Q`` over ``Case`` for the actor) under which a case is visible;
    the counterpart, for lists, of a role source added with ``add_case_roles``."""
    if condition not in _filters:
        _filters.append(condition)


def visible_cases(actor: Actor) -> QuerySet[Case]:
    """Every case ``actor`` may see, as one query (no per-row checks needed by callers).

    Mirrors the facts: memberships, active participations, and what the apps above add
    (own reports, accepted and current grants on unpublished cases).
    """
    if isinstance(actor, SystemActor) or is_sirt(actor):
        return Case.objects.all()
    user = user_or_none(actor)  # authenticated actors are users
    if user is None or not user.is_active:
        return Case.objects.none()
    maintained = [org for org, role in org_roles(actor) if role == OrgRole.MAINTAINER]
    direct = CaseParticipant.objects.filter(
        active_participation(),
        case=OuterRef("pk"),
        user=user,
        role__in=[ParticipantRole.REPORTER, ParticipantRole.MAINTAINER],
    )
    condition = Q(project__team_id__in=maintained, maintainers_notified_at__isnull=False)
    condition |= Q(Exists(direct))
    for extra in _filters:
        condition |= extra(user)
    return Case.objects.filter(condition)


def timeline_visibilities(roles: frozenset[str]) -> frozenset[str]:
    """The timeline entry visibilities a holder of ``roles`` may read.

    SIRT-only entries are the SIRT's internal notes: they never reach reporters or observers.
    """
    if SIRT in roles:
        return frozenset(Visibility.values)
    if MAINTAINER in roles:
        return frozenset({Visibility.MAINTAINERS, Visibility.PARTICIPANTS, Visibility.PUBLIC})
    if roles & CASE_VIEWERS:
        return frozenset({Visibility.PARTICIPANTS, Visibility.PUBLIC})
    return frozenset({Visibility.PUBLIC})
