"""Drive the pipeline synchronously in tests (on-commit hooks do not fire inside ``db``)."""

from __future__ import annotations

from akrites.core.clock import now
from akrites.notifications.models import Delivery, DeliveryStatus, Event
from akrites.notifications.services.deliver import delivery_attempt
from akrites.notifications.services.dispatch import events_dispatch


def dispatch_all() -> list[int]:
    ids = list(Event.objects.filter(dispatched_at__isnull=True).values_list("pk", flat=True))
    return events_dispatch(event_ids=ids)


def attempt_due(channel: str | None = None) -> list[str]:
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now())
    if channel:
        due = due.filter(channel=channel)
    return [
        delivery_attempt(delivery_id=pk) for pk in due.order_by("pk").values_list("pk", flat=True)
    ]


def run_all(channel: str | None = None) -> list[str]:
    dispatch_all()
    return attempt_due(channel)


def give_address(user, address: str | None = None) -> None:
    """A verified address, as the operator sets one (``accounts.addresses``)."""
    from akrites.accounts.addresses import email_mark_verified
    from akrites.core.actors import SystemActor

    address = address or f"{user.username}@example.org"
    email_mark_verified(actor=SystemActor("test"), user=user, address=address)
    user.refresh_from_db()
