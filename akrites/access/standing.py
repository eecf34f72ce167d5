"""Who an actor is to the policy: their organisation roles, and their facts on a case.

Cached per request on the user object (memberships), or read in bulk for a list of cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from akrites.access.facts import CaseFacts, case_facts_many, membership_roles
from akrites.access.roles import SIRT_ROLES, OrgRole
from akrites.core.actors import Actor

# Where the roles are cached on the user object. Not a member of ``Actor``: a visitor or a
# host component never gets one (their answer is the empty set, without a query).
_ORG_ROLES = "_akrites_org_roles"


def _authenticated(actor: Actor) -> bool:
    # ``None`` is not an Actor; refused here all the same, for an untyped caller.
    return actor is not None and actor.is_authenticated and actor.is_active


def org_roles(actor: Actor) -> frozenset[tuple[int, str]]:
    """(organisation id, role) pairs of the actor, cached on the user object per request."""
    if not _authenticated(actor):
        return frozenset()
    cached: frozenset[tuple[int, str]] | None = getattr(actor, _ORG_ROLES, None)
    if cached is None:
        cached = membership_roles(actor)
        setattr(actor, _ORG_ROLES, cached)
    return cached


def is_sirt(actor: Actor) -> bool:
    return any(role in SIRT_ROLES for _, role in org_roles(actor))


def is_sirt_lead(actor: Actor) -> bool:
    return any(role == OrgRole.SIRT_LEAD for _, role in org_roles(actor))


def needs_mfa(actor: Actor) -> bool:
    """SIRT members and maintainers must use a second factor to use the web app at all."""
    return any(role in SIRT_ROLES or role == OrgRole.MAINTAINER for _, role in org_roles(actor))


def case_facts(actor: Actor, case: Any) -> CaseFacts | None:
    """The facts of one case for ``actor`` (None: not a case, or an anonymous actor)."""
    if not _authenticated(actor) or getattr(case, "pk", None) is None:
        return None
    return case_facts_many(actor, [case]).get(case.pk)


def case_roles(actor: Actor, case: Any) -> frozenset[str]:
    """Every role ``actor`` holds on ``case`` right now."""
    facts = case_facts(actor, case)
    return facts.roles if facts is not None else frozenset()


def case_roles_many(actor: Actor, cases: Sequence[Any]) -> dict[int, frozenset[str]]:
    """``case_roles`` for each of ``cases`` (by primary key), in a fixed number of queries.

    For lists (the maintainer inbox, a page of cases): the same answer as asking per case.
    Each case's ``project`` should be loaded (``select_related``).
    """
    if not _authenticated(actor) or not cases:
        return {}
    return {pk: f.roles for pk, f in case_facts_many(actor, cases).items()}
