"""Observers and downstreams told under embargo: what confidentiality tells the policy.

A member observer or downstream holds a role only while a pre-notification grant is in force
(``notify_at`` passed, not revoked) together with its participation, and the case is not
published; before accepting the embargo terms they are ``pending_observer``. Added to the
policy's role sources and to the visible-cases query in ``ConfidentialityConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Q

from akrites.access.facts import CaseFacts
from akrites.access.roles import DOWNSTREAM, OBSERVER, OBSERVER_REPORT, PENDING_OBSERVER
from akrites.accounts.actors import user_of
from akrites.cases.lifecycle import PUBLISHED
from akrites.cases.models import CaseParticipant, ParticipantRole
from akrites.cases.parties import GRANTED, active_participation
from akrites.confidentiality.models import PrenotificationGrant
from akrites.core.actors import Actor
from akrites.core.clock import now

_ROLE: dict[str, str] = {ParticipantRole.OBSERVER: OBSERVER, ParticipantRole.DOWNSTREAM: DOWNSTREAM}


def live_grant(*, accepted: bool) -> Q:
    """Grants that are in force now (told, not revoked), accepted or still awaiting it."""
    return Q(revoked_at__isnull=True, notify_at__lte=now(), accepted_at__isnull=not accepted)


def grant_roles(
    actor: Actor, cases: Sequence[Any], facts: Mapping[int, CaseFacts]
) -> dict[int, frozenset[str]]:
    """Roles from the grants in force, on unpublished cases where the actor holds the
    matching observer/downstream participation (one query for the list)."""
    told = {
        pk: f.participations & GRANTED
        for pk, f in facts.items()
        if not f.published and f.participations & GRANTED
    }
    if not told:
        return {}
    roles: dict[int, set[str]] = {}
    grants = PrenotificationGrant.objects.filter(
        revoked_at__isnull=True, notify_at__lte=now(), case_id__in=list(told), user=user_of(actor)
    ).values_list("case_id", "role", "accepted_at", "include_report")
    for case_id, role, accepted_at, include_report in grants:
        if role not in told[case_id]:
            continue
        mine = roles.setdefault(case_id, set())
        if accepted_at is None:
            mine.add(PENDING_OBSERVER)
            continue
        mine.add(_ROLE[role])
        if include_report:
            mine.add(OBSERVER_REPORT)
    return {pk: frozenset(r) for pk, r in roles.items()}


def granted(actor: Actor) -> Q:
    """Unpublished cases on which ``actor`` holds an accepted grant in force."""
    user = user_of(actor)
    grant = PrenotificationGrant.objects.filter(
        live_grant(accepted=True), case=OuterRef("case"), user=user, role=OuterRef("role")
    )
    held = CaseParticipant.objects.filter(
        active_participation(), Exists(grant), case=OuterRef("pk"), user=user, role__in=GRANTED
    )
    return Q(Exists(held)) & ~Q(status__in=PUBLISHED)
