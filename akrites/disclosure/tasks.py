"""Task shims for the worker: take nothing (or ids), call one service."""

from __future__ import annotations

try:
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    from django_tasks import task  # type: ignore[no-redef,unused-ignore]

from akrites.core.actors import SystemActor


@task()  # type: ignore[misc,unused-ignore]
def publish_due() -> list[str]:
    """Publish every advisory whose disclosure instant has come (idempotent)."""
    from akrites.disclosure.services import publish_due as service

    return service(actor=SystemActor("disclosure-worker"))
