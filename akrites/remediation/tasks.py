"""Task shims: take no content, call one service, idempotent."""

from __future__ import annotations

try:
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Django 5.2: the backport
    from django_tasks import task  # type: ignore[no-redef,unused-ignore]

from akrites.remediation.services.ladder import ladder_run


@task()
def run_ladder() -> dict[str, int]:
    """The periodic tick: reminders, escalation, stewardship, due dates."""
    return ladder_run().as_dict()
