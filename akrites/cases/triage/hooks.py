"""Triage bookkeeping called from other services inside their transactions.

- ``on_transition`` — ``cases.services.transitions.case_transition``: record the finder
  outcome of a triage decision, withdraw it on reopen, and stamp clock milestones.
- ``outcomes_record_reports`` — intake: a report answered at intake without a case (out of
  the maintainers' scope) counts as invalid for its sender, as a rejected case would.

Neither checks permissions: the calling service already did, in the same transaction. (The
reporter's proposed severity seeds a new case as it is opened: ``cases_open_many``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from akrites.cases.models import Case
from akrites.cases.triage.models import FinderOutcome, Outcome
from akrites.cases.triage.reports import sent_reports

TRANSITION_OUTCOMES: dict[str, str] = {
    "accept": Outcome.VALID,
    "reject": Outcome.INVALID,
    "mark_duplicate": Outcome.DUPLICATE,
    # Already public: the finding was real but not new, like a duplicate of the world's.
    "mark_already_public": Outcome.DUPLICATE,
}


def on_transition(*, case: Case, name: str, at: datetime) -> list[str]:
    """Triage effects of transition ``name`` on ``case`` (locked by the caller).

    Sets milestone fields on ``case`` in memory and returns their names for the caller's
    ``save(update_fields=…)``; writes finder outcomes directly.
    """
    fields: list[str] = []
    outcome = TRANSITION_OUTCOMES.get(name)
    if outcome is not None:
        outcomes_record(case=case, outcome=outcome, at=at)
        for field in ("responded_at", "triaged_at"):
            if getattr(case, field) is None:
                setattr(case, field, at)
                fields.append(field)
    elif name == "reopen":
        FinderOutcome.objects.filter(case=case).delete()
    elif name == "mark_fix_ready" and case.fix_ready_at is None:
        case.fix_ready_at = at
        fields.append("fix_ready_at")
    return fields


def outcomes_record(*, case: Case, outcome: str, at: datetime) -> int:
    """Credit ``outcome`` to the sender of every report in ``case`` (replacing earlier
    decisions on those reports). Anonymous reports have no sender and are skipped."""
    senders = sent_reports(case_ids=[case.pk])
    FinderOutcome.objects.filter(report_id__in=[s.report_id for s in senders]).delete()
    FinderOutcome.objects.bulk_create(
        FinderOutcome(report_id=s.report_id, user_id=s.sender_id, case=case, outcome=outcome,
                      decided_at=at)
        for s in senders
    )  # fmt: skip
    return len(senders)


def outcomes_record_reports(
    *, reports: Sequence[tuple[int, int]], outcome: str, at: datetime
) -> None:
    """Credit ``outcome`` to the sender of each (report id, sender id), for reports decided
    without a case (they are new: nothing to replace). One query, whatever the number."""
    FinderOutcome.objects.bulk_create(
        FinderOutcome(report_id=report_id, user_id=user_id, case=None, outcome=outcome,
                      decided_at=at)
        for report_id, user_id in reports
    )  # fmt: skip
