"""Task shims for the audit log: take nothing, call one service."""

from __future__ import annotations

try:
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    from django_tasks import task  # type: ignore[no-redef,unused-ignore]

from akrites.audit.anchoring import checkpoint_write


@task()
def checkpoint() -> int | None:
    """Sign a checkpoint of the chain's head if it moved (idempotent; scheduled by the
    worker). Returns the checkpointed seq, or None when there was nothing new."""
    written = checkpoint_write()
    return written.seq if written is not None else None
