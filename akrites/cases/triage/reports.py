"""What triage needs to know about reports, asked of intake (which provides these hooks).

Reports belong to intake, a layer above cases; triage credits outcomes to the senders of a
case's reports and counts a sender's recent reports for their quota, so it asks through
these hooks (``IntakeConfig.ready``) instead of reading intake's model.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from akrites.core.hooks import hook


@dataclass(frozen=True)
class SentReport:
    """A report that came from an account (anonymous reports have no sender)."""

    case_id: int
    report_id: int
    sender_id: int


@hook
def sent_reports(*, case_ids: Collection[int]) -> list[SentReport]:
    """Every report with a sender in these cases, in one query (provided by intake)."""
    raise NotImplementedError


@hook
def sender_report_count(*, user_id: int, since: datetime) -> int:
    """How many reports account ``user_id`` sent after ``since`` (provided by intake)."""
    raise NotImplementedError
