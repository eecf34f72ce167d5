"""Reads for the SIRT dashboard: the queue summary and the series behind its charts.

Every selector takes the viewer and requires ``queue.view`` (the SIRT): the figures are
aggregates over every case, so nobody else may read them. Series are computed from the
records themselves — ``Report.created_at`` / ``status`` and the cases' timeline transitions —
so a chart always agrees with the data it summarises. Buckets are UTC days and ISO weeks
(starting Monday); empty buckets are present with zero (counts) or ``None`` (medians).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median

from django.db.models import Count
from django.db.models.functions import TruncDate

from akrites.access.policy import require
from akrites.cases.models import Case, Status, TimelineEntry
from akrites.cases.triage.models import ClockBreach
from akrites.cases.triage.selectors import QueueRow, breach_list, triage_queue
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.intake.models import Report, ReportStatus

MAX_DAYS = 366
MAX_WEEKS = 104
# The milestones whose delay from the case's opening the dashboard charts, by target status.
MILESTONES: tuple[tuple[str, str], ...] = (
    (Status.ACKNOWLEDGED, "Acknowledge"),
    (Status.FIX_READY, "Fix"),
    (Status.DISCLOSED, "Disclose"),
)


@dataclass(frozen=True)
class Series:
    """One chart's data: x labels and named value lists of the same length."""

    labels: list[str]
    values: dict[str, list[float | None]]

    @property
    def rows(self) -> list[tuple[str, list[float | None]]]:
        """The same figures by label, for the table that accompanies each chart."""
        columns = list(self.values.values())
        return [(label, [col[i] for col in columns]) for i, label in enumerate(self.labels)]


def _clamp(n: int, top: int) -> int:
    return max(1, min(n, top))


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks(count: int, at: datetime) -> list[date]:
    last = _week_start(at.astimezone(UTC).date())
    return [last - timedelta(weeks=i) for i in range(count - 1, -1, -1)]


def intake_per_day(*, viewer: Actor, days: int = 30) -> Series:
    """Reports received per UTC day over the last ``days`` days (today included)."""
    require(viewer, "queue.view")
    days = _clamp(days, MAX_DAYS)
    today = now().astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    rows = (
        Report.objects.filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(n=Count("id"))
    )
    counts = {row["day"]: row["n"] for row in rows}
    span = [first + timedelta(days=i) for i in range(days)]
    return Series(
        labels=[d.isoformat() for d in span],
        values={"Reports": [float(counts.get(d, 0)) for d in span]},
    )


def duplicate_rate_per_week(*, viewer: Actor, weeks: int = 12) -> Series:
    """Per ISO week of arrival: the percentage of reports found to be duplicates."""
    require(viewer, "queue.view")
    span = _weeks(_clamp(weeks, MAX_WEEKS), now())
    start = datetime.combine(span[0], datetime.min.time(), tzinfo=UTC)
    total: Counter[date] = Counter()
    dupes: Counter[date] = Counter()
    # Days, not rows, cross the wire: one aggregate per (day, status).
    rows = (
        Report.objects.filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        week = _week_start(row["day"])
        total[week] += row["n"]
        if row["status"] == ReportStatus.DUPLICATE:
            dupes[week] += row["n"]
    rate = [round(100.0 * dupes[w] / total[w], 1) if total[w] else None for w in span]
    return Series(labels=[w.isoformat() for w in span], values={"Duplicates (%)": rate})


def time_to_milestones(*, viewer: Actor, weeks: int = 12) -> Series:
    """Per ISO week in which a case first reached a milestone: the median number of days
    from the case's opening to it (acknowledged, fix ready, disclosed)."""
    require(viewer, "queue.view")
    span = _weeks(_clamp(weeks, MAX_WEEKS), now())
    start = datetime.combine(span[0], datetime.min.time(), tzinfo=UTC)
    targets = [status for status, _ in MILESTONES]
    first_at: dict[tuple[int, str], tuple[datetime, datetime]] = {}
    # Only the first arrival counts (a case may re-enter a state after a dispute).
    rows = (
        TimelineEntry.objects.filter(new_status__in=targets)
        .order_by("at", "id")
        .values_list("case_id", "new_status", "at", "case__created_at")
    )
    for case_id, status, at, opened in rows:
        first_at.setdefault((case_id, status), (at, opened))
    delays: dict[tuple[str, date], list[float]] = defaultdict(list)
    for (_, status), (at, opened) in first_at.items():
        if at >= start:
            week = _week_start(at.astimezone(UTC).date())
            delays[(status, week)].append((at - opened).total_seconds() / 86_400)
    values: dict[str, list[float | None]] = {}
    for status, label in MILESTONES:
        values[label] = [
            round(median(delays[(status, w)]), 1) if delays.get((status, w)) else None for w in span
        ]
    return Series(labels=[w.isoformat() for w in span], values=values)


@dataclass(frozen=True)
class DashboardSummary:
    queue: list[QueueRow]
    in_triage: int
    unclaimed: int
    running_breached: int
    by_status: list[tuple[str, int]]
    sla_breaches: list[ClockBreach]
    cra_breaches: list[ClockBreach]
    reports_today: int


def dashboard_summary(*, viewer: Actor, top: int = 5) -> DashboardSummary:
    """The queue at a glance: the highest-priority cases in triage, how many are unclaimed,
    open cases by status, and recorded SLA and EU CRA breaches (most recently due first)."""
    require(viewer, "queue.view")
    queue = triage_queue(viewer=viewer, limit=500)
    labels = dict(Status.choices)
    counts = dict(Case.objects.values_list("status").annotate(n=Count("id")).order_by())
    by_status = [(labels[s], counts[s]) for s in labels if counts.get(s)]
    breaches = breach_list(viewer=viewer, limit=50)
    midnight = datetime.combine(now().astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)
    return DashboardSummary(
        queue=queue[:top],
        in_triage=len(queue),
        unclaimed=sum(1 for row in queue if row.case.claimed_by_id is None),
        running_breached=sum(1 for row in queue if any(c.breached for c in row.clocks)),
        by_status=by_status,
        sla_breaches=[b for b in breaches if b.kind.startswith("sla_")],
        cra_breaches=[b for b in breaches if b.kind.startswith("cra_")],
        reports_today=Report.objects.filter(created_at__gte=midnight).count(),
    )
