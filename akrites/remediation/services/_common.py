"""Helpers shared by the remediation services: timeline entries, notifications, locks."""

from __future__ import annotations

import logging

from akrites.accounts.actors import user_or_none
from akrites.audit.services import actor_fields
from akrites.cases.models import Case, TimelineEntry
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import NotFound
from akrites.core.outbox import notify
from akrites.remediation.models import CaseRemediation

logger = logging.getLogger("akrites.remediation")


def label(actor: Actor) -> str:
    return actor_fields(actor)[1]


def timeline_add(
    *, case: Case, actor: Actor, kind: str, visibility: str, reason: str = "", status: str = ""
) -> TimelineEntry:
    """Record a remediation decision in the case timeline (in the caller's transaction)."""
    return TimelineEntry.objects.create(
        case=case,
        at=now(),
        actor=user_or_none(actor),
        actor_label=label(actor),
        kind=kind,
        old_status=status,
        new_status=status,
        reason=reason,
        visibility=visibility,
    )


def notify_event(event: str, *, case: Case, actor: Actor, data: dict[str, str | int]) -> bool:
    """Hand an event to the notifications outbox (``core.outbox``). ``data`` carries
    identifiers and enumerations, never content (the outbox refuses prose anyway)."""
    notify(event, case_id=case.pk, actor=actor, data=data)
    return True


def lock_case(case: Case) -> Case:
    """The case row, locked for the rest of the transaction (NotFound if it is gone)."""
    try:
        return Case.objects.select_for_update().select_related("project").get(pk=case.pk)
    except Case.DoesNotExist:
        raise NotFound() from None


def remediation_for(case: Case) -> CaseRemediation:
    record, _ = CaseRemediation.objects.get_or_create(case=case)
    return record
