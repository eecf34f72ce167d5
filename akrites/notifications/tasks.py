"""Tasks are shims: they take ids, call one service, and never fail on a bad server.

Each is idempotent (the services claim their rows conditionally), because a task may run
twice: the worker re-queues the tasks of a worker that died mid-run.
"""

from __future__ import annotations

try:
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Django 5.2: the backport
    from django_tasks import task  # type: ignore[no-redef,unused-ignore]

from akrites.notifications import digests
from akrites.notifications.services import deliver, dispatch
from akrites.notifications.services import sweep as sweep_service


@task()
def dispatch_events(*, event_ids: list[int]) -> int:
    return len(dispatch.events_dispatch(event_ids=event_ids))


@task()
def attempt_delivery(*, delivery_id: int) -> str:
    return deliver.delivery_attempt(delivery_id=delivery_id)


@task()
def send_digests() -> int:
    return len(digests.digests_send_due())


@task()
def sweep() -> dict[str, int]:
    return sweep_service.notifications_sweep()
