"""What dedup answers for intake (``intake.hooks``; provided in ``DedupConfig.ready``)."""

from __future__ import annotations

from collections.abc import Sequence

from akrites.dedup.services.decide import (
    DedupItem,
    DedupResult,
    dedup_decide_batch,
    dedup_index_batch,
)
from akrites.intake.hooks import DedupQuery, DedupVerdict
from akrites.intake.models import Report


def intake_decide(*, queries: Sequence[DedupQuery]) -> Sequence[DedupVerdict]:
    """``dedup_decide_batch`` over intake's queries (see its guarantees)."""
    return dedup_decide_batch(
        items=[
            DedupItem.from_parsed(key=q.key, parsed=q.parsed, project_id=q.project_id)
            for q in queries
        ]
    )


def intake_index(*, stored: Sequence[tuple[DedupVerdict, Report]]) -> None:
    """``dedup_index_batch`` for reports intake stored; each verdict must be one of ours."""
    entries = []
    for verdict, report in stored:
        if not isinstance(verdict, DedupResult):
            raise TypeError("dedup_index takes the verdicts dedup_decide returned")
        entries.append(verdict.entry(report))
    dedup_index_batch(entries=entries)
