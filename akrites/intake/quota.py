"""The sender's daily quota, checked at submission before anything is stored.

The budget is triage's (``cases.triage.signal.quota_limits``: a base limit shrunk by a low
finder signal); what it is spent on — the sender's reports of the last 24 hours — is ours.
"""

from __future__ import annotations

import math
from typing import Any

from akrites.cases.triage.signal import QUOTA_WINDOW, quota_limits
from akrites.core.clock import now
from akrites.core.errors import RateLimited
from akrites.intake.models import Report


def check_quota(*, user: Any, cost: int) -> None:
    """Raise ``RateLimited`` when ``user`` may not send ``cost`` more reports today.

    Call inside the transaction that stores the reports, before storing them: the quota row
    is locked first, so concurrent batches of one sender count one after another. Anonymous
    submissions (``user`` None) have no daily budget here; intake rate-limits them per
    window. ``retry_after`` is when the oldest counted report leaves the 24-hour window.
    """
    if user is None or not getattr(user, "is_authenticated", False) or cost <= 0:
        return
    limit, _ = quota_limits(user=user, lock=True)
    if limit == 0:
        return
    at = now()
    recent = Report.objects.filter(reporter=user, created_at__gt=at - QUOTA_WINDOW)
    used = recent.count()
    if used + cost <= limit:
        return
    if cost > limit:
        raise RateLimited(
            int(QUOTA_WINDOW.total_seconds()),
            f"This batch of {cost} reports exceeds the sender's daily quota of {limit}.",
        )
    oldest = recent.order_by("created_at").values_list("created_at", flat=True).first()
    retry = (oldest + QUOTA_WINDOW - at) if oldest else QUOTA_WINDOW
    raise RateLimited(
        max(1, math.ceil(retry.total_seconds())),
        f"Daily report quota reached ({used} of {limit} in 24 hours); retry later.",
    )
