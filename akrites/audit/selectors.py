"""Reads of the audit log for operators (the CLI runs on the host)."""

from __future__ import annotations

from akrites.audit.models import AuditEntry

# Per-read entries are named ``read.<what>`` (see ``access.reads``).
READ_PREFIX = "read."


def audit_reads(*, object_type: str, object_id: str) -> list[AuditEntry]:
    """Every ``read.*`` entry on one object, oldest first: one scan of the ``audit_object``
    index (object_type, object_id, action)."""
    return list(
        AuditEntry.objects.filter(
            object_type=object_type, object_id=object_id, action__startswith=READ_PREFIX
        ).order_by("seq")
    )
