"""Triage bookkeeping called from other services inside their transactions.

- ``cases_seed`` — intake (``intake.services.record.reports_record``): copy each report's
  proposed CVSS vector and first CWE onto its new case, one bulk UPDATE per batch.
- ``on_transition`` — ``cases.services.transitions.case_transition``: record the finder
  outcome of a triage decision, withdraw it on reopen, and stamp clock milestones.

Neither checks permissions: the calling service already did, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from akrites.cases.models import Case
from akrites.cases.triage.models import FinderOutcome, Outcome
from akrites.cases.triage.severity import score_or_none
from akrites.intake.models import Report

TRANSITION_OUTCOMES: dict[str, str] = {
    "accept": Outcome.VALID,
    "reject": Outcome.INVALID,
    "mark_duplicate": Outcome.DUPLICATE,
    # Already public: the finding was real but not new, like a duplicate of the world's.
    "mark_already_public": Outcome.DUPLICATE,
}


def cases_seed(*, cases: Sequence[Case | None], submissions: Sequence[Any]) -> None:
    """Set the reporter-proposed severity on freshly opened cases (same order as intake's
    submissions; ``None`` where a report opened no case). One query, whatever the size."""
    changed: list[Case] = []
    for case, sub in zip(cases, submissions, strict=True):
        parsed = sub.parsed
        if case is None or not (parsed.cvss or parsed.cwe):
            continue
        severity = score_or_none(parsed.cvss) if parsed.cvss else None
        if severity is not None:
            case.proposed_cvss = severity.vector
            case.proposed_cvss_score = severity.score
        case.proposed_cwe = parsed.cwe[0] if parsed.cwe else ""
        changed.append(case)
    if changed:
        Case.objects.bulk_update(changed, ["proposed_cvss", "proposed_cvss_score", "proposed_cwe"])


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
    senders = list(
        Report.objects.filter(case=case, reporter__isnull=False).values_list("pk", "reporter_id")
    )
    FinderOutcome.objects.filter(report_id__in=[pk for pk, _ in senders]).delete()
    FinderOutcome.objects.bulk_create(
        FinderOutcome(report_id=pk, user_id=uid, case=case, outcome=outcome, decided_at=at)
        for pk, uid in senders
    )
    return len(senders)
