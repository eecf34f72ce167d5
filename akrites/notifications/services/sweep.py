"""The safety net: events and deliveries whose task was lost get picked up again.

A task can be lost between a commit and its enqueue, or with a worker that died (the worker
re-queues its tasks, but belt and braces). Every step it triggers claims its rows
conditionally, so a sweep that races a live task does nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from akrites.core.clock import now
from akrites.notifications.models import Delivery, DeliveryStatus, Event
from akrites.notifications.services.dispatch import enqueue_attempts, events_dispatch

BATCH = 1000


def notifications_sweep() -> dict[str, int]:
    """Dispatch stale events and re-enqueue overdue deliveries; return what was found."""
    t = now()
    grace = timedelta(seconds=settings.AKRITES_NOTIFY_SWEEP_SECONDS)
    stale = list(
        Event.objects.filter(dispatched_at__isnull=True, created_at__lte=t - grace)
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    if stale:
        events_dispatch(event_ids=stale)
    overdue = list(
        Delivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=t - grace)
            | Q(status=DeliveryStatus.SENDING, lease_until__lt=t)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    enqueue_attempts(overdue)
    return {"events": len(stale), "deliveries": len(overdue)}
