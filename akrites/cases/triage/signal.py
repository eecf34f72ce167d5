"""Finder signal: each sender's track record, smoothed with a Beta prior; daily quotas.

A sender is the account a report came from: a person or a scanner identity (which belongs to
an accountable finder organisation). Outcomes come from lifecycle transitions (see
``cases.triage.hooks``): accept → valid, mark_duplicate / mark_already_public → duplicate,
reject → invalid (``case_reject_as_spam`` → spam); reopening withdraws them.

    signal = (a + s) / (a + b + s + f),   prior a = b = 2 (Beta(2, 2))
    s = valid + ½·duplicate,  f = ½·duplicate + invalid + 2·spam

A newcomer starts at 0.5; a duplicate is half a success (the finding was real, the work was
redundant); spam counts twice against. Precision, published on a scanner's profile, is
(valid + duplicate) / decided.

``quota_limits`` is the budget; intake checks it before it stores anything
(``intake.quota.check_quota``): a sender over budget gets ``RateLimited`` (HTTP 429 with
Retry-After) — nothing is accepted and then dropped. Reports themselves are intake's: the
count of a sender's recent ones comes through ``cases.triage.reports``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count

from akrites.accounts.models import AccountKind
from akrites.cases.triage.models import FinderOutcome, Outcome, SenderQuota
from akrites.cases.triage.reports import sender_report_count
from akrites.core.clock import now

PRIOR_ALPHA = 2.0
PRIOR_BETA = 2.0
SPAM_WEIGHT = 2.0
QUOTA_WINDOW = timedelta(days=1)
MIN_QUOTA_FACTOR = 0.1


@dataclass(frozen=True)
class TrackRecord:
    valid: int = 0
    duplicate: int = 0
    invalid: int = 0
    spam: int = 0

    @property
    def decided(self) -> int:
        return self.valid + self.duplicate + self.invalid + self.spam

    @property
    def signal(self) -> float:
        successes = self.valid + 0.5 * self.duplicate
        failures = 0.5 * self.duplicate + self.invalid + SPAM_WEIGHT * self.spam
        return (PRIOR_ALPHA + successes) / (PRIOR_ALPHA + PRIOR_BETA + successes + failures)

    @property
    def precision(self) -> float | None:
        """Share of decided reports that were real findings; None before any decision."""
        if not self.decided:
            return None
        return (self.valid + self.duplicate) / self.decided


NEWCOMER = TrackRecord()


def track_records(*, user_ids: set[int]) -> dict[int, TrackRecord]:
    """Track records of these senders, in one query (a newcomer's is ``NEWCOMER``)."""
    if not user_ids:
        return {}
    counts: dict[int, dict[str, int]] = {uid: {} for uid in user_ids}
    rows = (
        FinderOutcome.objects.filter(user_id__in=user_ids)
        .values_list("user_id", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for uid, outcome, n in rows:
        counts[uid][outcome] = n
    return {
        uid: TrackRecord(
            valid=c.get(Outcome.VALID, 0),
            duplicate=c.get(Outcome.DUPLICATE, 0),
            invalid=c.get(Outcome.INVALID, 0),
            spam=c.get(Outcome.SPAM, 0),
        )
        for uid, c in counts.items()
    }


def track_record(*, user: Any) -> TrackRecord:
    return track_records(user_ids={user.pk}).get(user.pk, NEWCOMER)


def base_limit(*, user: Any, lock: bool = False) -> int:
    """The sender's daily budget before the signal is applied (0: no daily budget).

    With ``lock`` (inside a transaction) the quota row is locked, so concurrent submissions
    by one sender on PostgreSQL count one after another.
    """
    rows = SenderQuota.objects.filter(user=user)
    if lock and connection.in_atomic_block:
        rows = rows.select_for_update()
    row = rows.values_list("daily_limit", flat=True).first()
    if row is not None:
        return int(row)
    if getattr(user, "kind", AccountKind.PERSON) == AccountKind.SCANNER:
        return int(settings.AKRITES_QUOTA_SCANNER_DAILY)
    return int(settings.AKRITES_QUOTA_PERSON_DAILY)


def effective_limit(*, limit: int, signal: float) -> int:
    """Shrink a budget for a low-signal sender: full at signal ≥ 0.5, linearly less below,
    never under 10 % (and never 0, so a sender can always earn back their signal)."""
    factor = min(1.0, max(MIN_QUOTA_FACTOR, 2.0 * signal))
    return max(1, math.floor(limit * factor))


def quota_limits(*, user: Any, lock: bool = False) -> tuple[int, int]:
    """(effective daily limit, base limit) of ``user``; a limit of 0 means none.

    With ``lock`` the quota row is locked first (see ``base_limit``).
    """
    base = base_limit(user=user, lock=lock)
    if base == 0:
        return 0, 0
    return effective_limit(limit=base, signal=track_record(user=user).signal), base


def quota_status(*, user: Any) -> tuple[int, int, int]:
    """(used in the last 24 h, effective daily limit, base limit); a limit of 0 means none."""
    limit, base = quota_limits(user=user)
    return sender_report_count(user_id=user.pk, since=now() - QUOTA_WINDOW), limit, base
