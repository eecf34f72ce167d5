"""Helpers shared by the remediation services: notifications, locks (timeline entries are
``cases.services.timeline_record``)."""

from __future__ import annotations

import logging

from akrites.audit.services import actor_fields
from akrites.cases.models import Case
from akrites.core.actors import Actor
from akrites.core.errors import NotFound
from akrites.core.outbox import notify
from akrites.remediation.models import CaseRemediation

logger = logging.getLogger("akrites.remediation")


def label(actor: Actor) -> str:
    return actor_fields(actor)[1]


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
