"""The remediation policy: escalation ladder and patch limits.

Defaults follow ../shared/DOMAIN.md (acknowledge within 2 business days, escalate after 6,
abandoned after 3 unanswered attempts over 6 weeks with no release in 12 months). The
disclosure bound is the embargo's (``AKRITES_EMBARGO_*``, ``confidentiality.ends``). A
deployment overrides any of these with the ``AKRITES_REMEDIATION`` setting (a dict of field
names to values); an unknown name fails loudly at first use.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class RemediationPolicy:
    acknowledge_business_days: int = 2
    escalate_business_days: int = 6
    # Later reminders follow the first one at this interval while nobody answers.
    reminder_every_days: int = 14
    max_reminders: int = 6
    abandoned_attempts: int = 3
    abandoned_weeks: int = 6
    # A project that released within this many months is not treated as abandoned by silence.
    no_release_months: int = 12
    # The project attribute holding the OpenSSF criticality score (0 … 1, kept by triage),
    # the value assumed when it is missing or unknown (stewardship is never automatic for an
    # unscored project), and the threshold at and above which a package is critical enough
    # for SIRT stewardship.
    criticality_attribute: str = "criticality_score"
    criticality_default: float = 0.0
    criticality_threshold: float = 0.5
    max_diff_bytes: int = 1_000_000
    git_timeout_seconds: int = 60
    # The author of fixes the SIRT prepares as maintainer of last resort (format-patch From:).
    sirt_author_name: str = "Akrites SIRT"
    sirt_author_email: str = "sirt@akrites.invalid"


_NAMES = frozenset(f.name for f in fields(RemediationPolicy))


def remediation_policy() -> RemediationPolicy:
    """The policy in force (read on every call, so tests can use ``override_settings``)."""
    overrides: dict[str, Any] = dict(getattr(settings, "AKRITES_REMEDIATION", {}) or {})
    unknown = set(overrides) - _NAMES
    if unknown:
        raise ValueError(f"AKRITES_REMEDIATION: unknown keys {sorted(unknown)}")
    return replace(RemediationPolicy(), **overrides)


def add_business_days(start: datetime, days: int) -> datetime:
    """``start`` moved forward by ``days`` working days (Monday to Friday, same time of day).

    A start on a weekend counts from the following Monday's time of day, so two business days
    after Saturday noon is Tuesday noon.
    """
    current = start
    while current.weekday() >= 5:
        current += timedelta(days=1)
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (clamped to the month's end)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")
