"""The maintainer inbox: each case with what a maintainer needs to act on it.

Per case: status, severity, the embargo end with its countdown (UTC and the viewer's zone),
the clock to acknowledge, and the next action. Everything is read in a fixed number of
queries for the whole page (embargoes, timeline milestones, agreed dates and the viewer's
roles in bulk); the policy decides which rows offer an action (``allowed_cases``).

The embargo shown is the stored one or, before anyone chose a date, the policy default
counted from the first notification — what ``access.services.embargo.default_embargo``
computes per case, here from the bulk-read milestones. Every case in the list is visible to
the viewer, and ``case.read_embargo`` is granted to exactly the case's viewers, so no case
shows an embargo its viewer may not read.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from django.db.models import Max, Min, Q

from akrites.access.policy import allowed_cases
from akrites.cases.models import Case, Status, TimelineEntry
from akrites.cases.selectors import case_list
from akrites.cases.triage.clocks import ClockState
from akrites.confidentiality.models import Embargo
from akrites.confidentiality.selectors import viewer_zone
from akrites.confidentiality.services.embargo import NOTIFIED_OR_LATER, default_end
from akrites.core.clock import now
from akrites.remediation.conf import add_business_days, remediation_policy
from akrites.remediation.models import CaseRemediation
from akrites.remediation.services.inbox import DATES_OPEN
from akrites.web.caseroom import countdown_text
from akrites.web.queue import OPEN_STATUSES, band_of

_ACKNOWLEDGE = frozenset({Status.NOTIFIED, Status.ESCALATED})
# Dates are agreed from notification until the fix is ready; before acknowledging, that is
# the next action.
_DATES = DATES_OPEN - {Status.ACCEPTED}
_PUBLIC = frozenset({Status.DISCLOSED, Status.CLOSED})


@dataclass(frozen=True)
class NextAction:
    kind: str  # "acknowledge" (a button) or "dates" (a link to the dates form)
    label: str


@dataclass(frozen=True)
class InboxRow:
    case: Case
    band: str
    embargo_ends: datetime | None
    embargo_local: datetime | None
    zone: str
    acknowledge: ClockState | None
    next_action: NextAction | None
    at: datetime

    @property
    def countdown(self) -> timedelta | None:
        return None if self.embargo_ends is None else self.embargo_ends - self.at

    @property
    def countdown_text(self) -> str:
        return countdown_text(self.countdown)

    @property
    def score(self) -> Any:
        return self.case.assessed_cvss_score or self.case.proposed_cvss_score


def _milestones(ids: list[int]) -> dict[int, dict[str, datetime | None]]:
    rows = (
        TimelineEntry.objects.filter(
            case_id__in=ids, new_status__in=[Status.NOTIFIED, Status.ACKNOWLEDGED]
        )
        .values("case_id")
        .annotate(
            first_notified=Min("at", filter=Q(new_status=Status.NOTIFIED)),
            last_notified=Max("at", filter=Q(new_status=Status.NOTIFIED, kind="transition")),
            acknowledged=Max("at", filter=Q(new_status=Status.ACKNOWLEDGED)),
        )
        .order_by()
    )
    return {
        int(r["case_id"]): {
            "first_notified": r["first_notified"],
            "last_notified": r["last_notified"],
            "acknowledged": r["acknowledged"],
        }
        for r in rows
    }


def _embargo_end(case: Case, stored: datetime | None, first: datetime | None) -> datetime | None:
    if case.status in _PUBLIC:
        return None
    if stored is not None:
        return stored
    start = first
    if start is None and case.status in NOTIFIED_OR_LATER:
        start = case.status_changed_at or case.created_at
    if start is None:
        return None
    return default_end(start, exploited=case.known_exploited)


def _acknowledge_clock(marks: dict[str, datetime | None], at: datetime) -> ClockState | None:
    notified = marks.get("last_notified")
    if notified is None:
        return None
    acked = marks.get("acknowledged")
    due = add_business_days(notified, remediation_policy().acknowledge_business_days)
    met = acked if acked is not None and acked >= notified else None
    return ClockState("acknowledge", "Acknowledge", notified, due, met, at)


def _next_actions(viewer: Any, cases: list[Case], dated: set[int]) -> dict[int, NextAction]:
    """The next action per case id, for the cases whose status calls for one."""
    ack = allowed_cases(viewer, "case.acknowledge", [c for c in cases if c.status in _ACKNOWLEDGE])
    undated = [c for c in cases if c.status in _DATES and c.pk not in dated and c.pk not in ack]
    dates = allowed_cases(viewer, "remediation.set_dates", undated)
    actions = {pk: NextAction("acknowledge", "Acknowledge") for pk in ack}
    actions.update({pk: NextAction("dates", "Set the dates") for pk in dates})
    return actions


def inbox_rows(*, viewer: Any, open_only: bool = True, limit: int = 100) -> list[InboxRow]:
    """The viewer's cases, newest first (only those still being worked on by default)."""
    statuses: Collection[str] | None = OPEN_STATUSES if open_only else None
    cases = case_list(viewer=viewer, statuses=statuses, limit=limit)
    ids = [c.pk for c in cases]
    stored = dict(Embargo.objects.filter(case_id__in=ids).values_list("case_id", "ends_at"))
    marks = _milestones(ids)
    dated = set(
        CaseRemediation.objects.filter(case_id__in=ids)
        .filter(Q(target_fix_on__isnull=False) | Q(disclosure_at__isnull=False))
        .values_list("case_id", flat=True)
    )
    actions = _next_actions(viewer, cases, dated)
    zone: tzinfo = viewer_zone(viewer)
    at = now()
    rows = []
    for case in cases:
        m = marks.get(case.pk, {})
        ends = _embargo_end(case, stored.get(case.pk), m.get("first_notified"))
        rows.append(
            InboxRow(
                case=case,
                band=band_of(case),
                embargo_ends=ends,
                embargo_local=ends.astimezone(zone) if ends is not None else None,
                zone=str(zone),
                acknowledge=_acknowledge_clock(m, at),
                next_action=actions.get(case.pk),
                at=at,
            )
        )
    return rows
