"""SLA and EU CRA clocks of a case: due instants computed from the case's milestones.

Pure: ``case_clocks(case, at=now)`` reads only fields of the case, so the queue, the triage
panel and the periodic breach job agree by construction, and tests drive them with the
platform clock (``akrites.core.clock.frozen``).

Policy (docs/triage.md):
- acknowledge a report within 2 business days of its arrival (met by the first human
  response: a claim or a triage decision);
- initial assessment within 10 business days (met by the first triage decision);
- for a case marked known exploited, the EU CRA (Regulation (EU) 2024/2847 Art. 14) clocks,
  started when the SIRT became aware: early warning within 24 hours, vulnerability
  notification within 72 hours, final report within 14 days after a fix is ready.
Business days are Monday to Friday in UTC; public holidays are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from akrites.cases.triage.models import ClockKind

ACKNOWLEDGE_BUSINESS_DAYS = 2
ASSESS_BUSINESS_DAYS = 10
CRA_EARLY_WARNING = timedelta(hours=24)
CRA_NOTIFICATION = timedelta(hours=72)
CRA_FINAL_REPORT = timedelta(days=14)


def add_business_days(start: datetime, days: int) -> datetime:
    """``start`` moved forward by ``days`` weekdays, keeping the time of day.

    Weekend days do not count: Friday 10:00 + 2 → Tuesday 10:00; a Saturday or Sunday start
    counts from the next Monday, so Saturday 10:00 + 2 → Tuesday 10:00 as well.
    """
    at = start
    remaining = days
    while remaining > 0:
        at += timedelta(days=1)
        if at.weekday() < 5:
            remaining -= 1
    return at


@dataclass(frozen=True)
class ClockState:
    kind: str
    label: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None
    at: datetime

    @property
    def breached(self) -> bool:
        """Past due and not met, or met late."""
        if self.met_at is not None:
            return self.met_at > self.due_at
        return self.at > self.due_at

    @property
    def state(self) -> str:
        if self.met_at is not None:
            return "met late" if self.breached else "met"
        return "breached" if self.breached else "running"

    @property
    def remaining(self) -> timedelta:
        return self.due_at - self.at


def case_clocks(case: Any, *, at: datetime) -> list[ClockState]:
    """Every clock that applies to ``case`` at instant ``at``, in due order."""
    labels = dict(ClockKind.choices)
    created: datetime = case.created_at
    clocks = [
        ClockState(
            ClockKind.SLA_ACKNOWLEDGE,
            labels[ClockKind.SLA_ACKNOWLEDGE],
            created,
            add_business_days(created, ACKNOWLEDGE_BUSINESS_DAYS),
            case.responded_at,
            at,
        ),
        ClockState(
            ClockKind.SLA_ASSESS,
            labels[ClockKind.SLA_ASSESS],
            created,
            add_business_days(created, ASSESS_BUSINESS_DAYS),
            case.triaged_at,
            at,
        ),
    ]
    aware: datetime | None = case.exploited_at
    if case.known_exploited and aware is not None:
        for kind, delta, met in (
            (ClockKind.CRA_EARLY_WARNING, CRA_EARLY_WARNING, case.cra_early_warning_at),
            (ClockKind.CRA_NOTIFICATION, CRA_NOTIFICATION, case.cra_notification_at),
        ):
            clocks.append(ClockState(kind, labels[kind], aware, aware + delta, met, at))
        fixed: datetime | None = case.fix_ready_at
        if fixed is not None:
            kind = ClockKind.CRA_FINAL_REPORT
            clocks.append(
                ClockState(
                    kind,
                    labels[kind],
                    fixed,
                    fixed + CRA_FINAL_REPORT,
                    case.cra_final_report_at,
                    at,
                )
            )
    return sorted(clocks, key=lambda c: c.due_at)
