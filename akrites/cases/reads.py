"""The per-read audit: who read embargoed content, and who was refused a case.

Reads are audited in their own short transaction (``audit_append`` needs one), keyed by the
case id so ``akrites audit who-read CASE`` is one indexed query on (object_type, object_id,
action). Content of a published case is public and is not audited per read.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from akrites.audit.models import AuditEntry
from akrites.audit.selectors import READ_PREFIX, audit_reads
from akrites.audit.services import actor_fields, audit_append
from akrites.cases.lifecycle import PUBLISHED
from akrites.cases.models import Case
from akrites.core.actors import Actor
from akrites.core.clock import now

DENIED_ACTION = "access.denied"
# One denial entry per (actor, case) per window: a client hammering an id it may not see
# cannot grow the audit chain faster than this.
DENIED_WINDOW = timedelta(minutes=10)


def record_read(*, viewer: Actor, case: Case | None, what: str, ref: str) -> None:
    """Audit that ``viewer`` read ``what`` (report, attachment, patch, advisory_draft …).

    ``ref`` names the object read (a report id, an attachment id); never content. Reads of a
    report outside any case are keyed by the report id instead.
    """
    if case is not None and case.status in PUBLISHED:
        return
    object_type, object_id = ("case", case.human_id) if case is not None else ("report", ref)
    with transaction.atomic():
        audit_append(
            actor=viewer,
            action=f"{READ_PREFIX}{what}",
            object_type=object_type,
            object_id=object_id,
            data={"ref": ref},
        )


def record_denied(*, viewer: Actor, case: Case) -> None:
    """Audit a refused attempt on an existing case, at most once per actor, case and window.

    Only signed-in actors are recorded (anonymous requests never reach a case). Case ids are
    sequential, so recording only existing ones reveals nothing the id scheme does not.
    """
    actor_id, _ = actor_fields(viewer)
    if actor_id is None:
        return
    recent = AuditEntry.objects.filter(
        object_type="case",
        object_id=case.human_id,
        action=DENIED_ACTION,
        actor_id=actor_id,
        at__gte=now() - DENIED_WINDOW,
    ).exists()
    if recent:
        return
    with transaction.atomic():
        audit_append(
            actor=viewer, action=DENIED_ACTION, object_type="case", object_id=case.human_id
        )


def read_log(*, human_id: str) -> list[AuditEntry]:
    """Every audited read of the case's embargoed content, oldest first (one index scan)."""
    return audit_reads(object_type="case", object_id=human_id)
