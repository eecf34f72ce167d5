"""The dashboard's queue filters: parsed from the query string, applied to the triage
queue's scored rows. An unknown value falls back to "any", never errors (a bookmarked or
edited URL still shows a page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict

from akrites.cases.lifecycle import OPEN, in_order
from akrites.cases.models import Status
from akrites.cases.triage.selectors import QueueRow

# Cases still being worked on; "open" means any of them.
OPEN_STATUSES = in_order(OPEN)
STATUS_CHOICES = [("open", "Any open status")] + [(s.value, s.label) for s in OPEN_STATUSES]
# CVSS qualitative ratings (FIRST CVSS v3.1 / v4.0 specification, section 5).
BAND_CHOICES = [
    ("", "Any severity"),
    ("critical", "Critical (9.0 to 10)"),
    ("high", "High (7.0 to 8.9)"),
    ("medium", "Medium (4.0 to 6.9)"),
    ("low", "Low or none (0 to 3.9)"),
    ("unscored", "Not scored yet"),
]
CLOCK_CHOICES = [("", "Any"), ("breached", "Past a clock"), ("running", "All clocks on time")]
CLAIM_CHOICES = [("", "Anyone's"), ("unclaimed", "Unclaimed"), ("mine", "Claimed by me")]


@dataclass(frozen=True)
class QueueFilters:
    status: str = Status.TRIAGE.value
    band: str = ""
    project: str = ""
    clock: str = ""
    claim: str = ""

    @property
    def statuses(self) -> tuple[str, ...]:
        if self.status == "open":
            return tuple(s.value for s in OPEN_STATUSES)
        return (self.status,)

    def querystring(self) -> str:
        """The filters as a query string (only the ones set), to come back to after a claim."""
        return urlencode({k: v for k, v in asdict(self).items() if v})

    def predicate(self, viewer_id: Any) -> Callable[[QueueRow], bool]:
        def keep(row: QueueRow) -> bool:
            case = row.case
            if self.project and case.project.slug != self.project:
                return False
            if self.band and band_of(case) != self.band:
                return False
            breached = any(c.breached for c in row.clocks)
            if (self.clock == "breached" and not breached) or (
                self.clock == "running" and breached
            ):
                return False
            if self.claim == "unclaimed" and case.claimed_by_id is not None:
                return False
            return not (self.claim == "mine" and case.claimed_by_id != viewer_id)

        return keep


def _pick(value: str, choices: list[tuple[str, str]], default: str = "") -> str:
    return value if value in {c for c, _ in choices} else default


def filters_from(query: QueryDict, projects: list[tuple[str, str]]) -> QueueFilters:
    return QueueFilters(
        status=_pick(query.get("status", ""), STATUS_CHOICES, Status.TRIAGE.value),
        band=_pick(query.get("band", ""), BAND_CHOICES),
        project=_pick(query.get("project", ""), projects),
        clock=_pick(query.get("clock", ""), CLOCK_CHOICES),
        claim=_pick(query.get("claim", ""), CLAIM_CHOICES),
    )


def band_of(case: Any) -> str:
    """The CVSS rating of the SIRT's score, else of the reporter's proposal."""
    score: Decimal | float | None = case.assessed_cvss_score
    if score is None:
        score = case.proposed_cvss_score
    if score is None:
        return "unscored"
    value = float(score)
    if value >= 9.0:
        return "critical"
    if value >= 7.0:
        return "high"
    if value >= 4.0:
        return "medium"
    return "low"
