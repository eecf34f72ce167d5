"""Task shims for cases: each takes ids (or nothing), loads, and calls one service."""

from __future__ import annotations

try:
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    from django_tasks import task  # type: ignore[no-redef,unused-ignore]

from akrites.cases.triage.services import clock_breaches_record
from akrites.core.actors import SystemActor


@task()
def record_clock_breaches() -> int:
    """Record SLA / EU CRA clock breaches (idempotent; scheduled by the worker)."""
    return len(clock_breaches_record(actor=SystemActor("clocks")))
