"""Digests: what was held back for a recipient, sent at most once per period and scope.

The policy (maintainer protection): a recipient gets at most one digest per
``AKRITES_DIGEST_PERIOD_SECONDS`` (a day by default) per project, however many events arrive;
the first digest waits ``AKRITES_DIGEST_DELAY_SECONDS`` so a burst lands in one mail. The
per-(recipient, scope) window is claimed with a conditional UPDATE, so two schedulers running
at once send one digest, and each held item is attached to exactly one digest.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q

from akrites.core.clock import now
from akrites.notifications.models import Channel, Delivery, DigestItem, DigestWindow
from akrites.notifications.services.dispatch import enqueue_attempts

logger = logging.getLogger(__name__)


def digests_send_due() -> list[int]:
    """Create the digests whose window is open; return their delivery ids (queued to send)."""
    t = now()
    period = timedelta(seconds=settings.AKRITES_DIGEST_PERIOD_SECONDS)
    ready_before = t - timedelta(seconds=settings.AKRITES_DIGEST_DELAY_SECONDS)
    groups = (
        DigestItem.objects.filter(delivery__isnull=True)
        .values("user_id", "scope")
        .annotate(oldest=Min("created_at"), n=Count("id"))
        .order_by("user_id", "scope")
    )
    created: list[int] = []
    for group in groups:
        if group["oldest"] > ready_before:
            continue
        delivery_id = _digest_one(group["user_id"], group["scope"], t, period)
        if delivery_id is not None:
            created.append(delivery_id)
    if created:
        logger.info("created %d digests", len(created))
    return created


def _digest_one(user_id: int, scope: str, t: object, period: timedelta) -> int | None:
    window, _ = DigestWindow.objects.get_or_create(user_id=user_id, scope=scope)
    with transaction.atomic():
        claimed = (
            DigestWindow.objects.filter(pk=window.pk)
            .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=t - period))  # type: ignore[operator]
            .update(last_sent_at=t)
        )
        if not claimed:
            return None
        from akrites.accounts.models import User

        user = User.objects.get(pk=user_id)
        delivery = Delivery.objects.create(
            channel=Channel.EMAIL,
            kind="digest",
            user=user,
            recipient_label=user.get_username(),
            items=0,
        )
        items = DigestItem.objects.filter(user_id=user_id, scope=scope, delivery__isnull=True)
        delivery.items = items.update(delivery=delivery)
        delivery.save(update_fields=["items"])
        transaction.on_commit(lambda: enqueue_attempts([delivery.pk]))
    return delivery.pk
