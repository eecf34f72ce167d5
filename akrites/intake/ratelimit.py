"""Fixed-window rate limits kept in the database, so every web worker shares them.

Each request costs one unit per report it carries. A limit answers ``RateLimited`` with the
seconds until the window ends (sent as ``Retry-After``); nothing is silently dropped.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from akrites.core.clock import now
from akrites.core.errors import RateLimited
from akrites.intake.models import RateWindow

WINDOW_SECONDS = 60


def rate_take(*, buckets: dict[str, int], cost: int = 1) -> None:
    """Charge ``cost`` to each bucket (name → limit per window), or raise ``RateLimited``.

    All buckets are charged in one transaction; when any would exceed its limit none is charged.
    """
    ts = int(now().timestamp())
    window = ts - ts % WINDOW_SECONDS
    retry_after = max(1, window + WINDOW_SECONDS - ts)
    with transaction.atomic():
        RateWindow.objects.bulk_create(
            [RateWindow(bucket=b, window_start=window, count=0) for b in buckets],
            ignore_conflicts=True,
        )
        RateWindow.objects.filter(bucket__in=buckets, window_start=window).update(
            count=F("count") + cost
        )
        counts = dict(
            RateWindow.objects.filter(bucket__in=buckets, window_start=window).values_list(
                "bucket", "count"
            )
        )
        if any(counts.get(b, 0) > limit for b, limit in buckets.items()):
            raise RateLimited(retry_after, "Too many reports; retry later.")


def rate_prune(*, keep_seconds: int = 3600) -> int:
    """Delete windows older than ``keep_seconds`` (called by the periodic worker)."""
    cutoff = int(now().timestamp()) - keep_seconds
    deleted, _ = RateWindow.objects.filter(window_start__lt=cutoff).delete()
    return deleted
