"""Routing a batch of reports after de-duplication: new case, existing case, or already public.

Called by ``reports_record`` inside its transaction. For every report the dedup engine says
``new`` (open a case when the package is registered), ``duplicate`` (join the case of the
report it duplicates: the first finder keeps first credit, later finders rank after them and
become reporters of that case, seeing its status only), or ``already_public`` (no embargoed
case is opened; the report names the published advisory). Queries do not grow with the batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max

from akrites.audit.services import actor_fields
from akrites.cases.models import Case, Status, TimelineEntry, Visibility
from akrites.cases.services.create import allocate_case_numbers, format_case_id
from akrites.dedup.services import DedupItem, DedupResult, dedup_decide_batch
from akrites.intake.models import Report, ReportStatus
from akrites.intake.parsers import ParsedReport


@dataclass(frozen=True)
class Routed:
    case: Case | None
    duplicate_of: Case | None
    result: DedupResult


def route_batch(
    *, actor: Any, reports: list[Report], parsed: list[ParsedReport], at: datetime
) -> list[Routed]:
    """Decide every report, open the cases the new ones need, and set each report's case,
    status, credit rank and (encrypted) dedup evidence. Reports are not saved here."""
    results = dedup_decide_batch(
        items=[
            DedupItem.from_parsed(
                key=r.public_id, parsed=p, project=r.package.project if r.package else None
            )
            for r, p in zip(reports, parsed, strict=True)
        ]
    )
    opening = [
        r for r, res in zip(reports, results, strict=True) if res.kind == "new" and r.package
    ]
    opened = dict(zip((r.public_id for r in opening), _open_cases(actor, opening, at), strict=True))
    ranks = _credit_ranks({res.case.pk for res in results if res.case is not None})
    assigned: dict[str, Case | None] = {}
    routed = []
    for report, res in zip(reports, results, strict=True):
        case, original = _place(report, res, opened, assigned)
        if case is not None:
            ranks[case.pk] = ranks.get(case.pk, 0) + 1
            report.credit_rank = ranks[case.pk]
        report.dedup = json.dumps(
            {
                "kind": res.kind,
                "score": round(res.score, 3),
                "evidence": res.evidence,
                "related": res.related,
                "advisory": res.advisory_id,
            }
        )
        assigned[report.public_id] = case
        routed.append(Routed(case=case, duplicate_of=original, result=res))
    return routed


def _place(
    report: Report, res: DedupResult, opened: dict[str, Case], assigned: dict[str, Case | None]
) -> tuple[Case | None, Case | None]:
    """(the report's case, the existing case it duplicates) and its status."""
    if res.kind == "already_public":
        report.status = ReportStatus.ALREADY_PUBLIC
        report.public_advisory_id = res.advisory_id or ""
        return None, None
    if res.kind == "duplicate":
        case = res.case or assigned.get(res.duplicate_of or "")
        if case is not None:
            report.case, report.status = case, ReportStatus.DUPLICATE
            return case, case
        return None, None  # duplicates a report still awaiting routing: the SIRT sees both
    case = opened.get(report.public_id)
    if case is not None:
        report.case, report.status = case, ReportStatus.IN_CASE
    return case, None


def _credit_ranks(case_ids: set[int]) -> dict[int, int]:
    if not case_ids:
        return {}
    rows = (
        Report.objects.filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(top=Max("credit_rank"))
        .values_list("case_id", "top")
    )
    return {case_id: top or 0 for case_id, top in rows}


def _open_cases(actor: Any, reports: list[Report], at: datetime) -> list[Case]:
    """One case in triage per report (bulk, one id allocation, one timeline insert)."""
    numbers = allocate_case_numbers(at.year, len(reports))
    cases = [
        Case(
            human_id=format_case_id(at.year, number),
            year=at.year,
            number=number,
            title=report.title,
            project=report.package.project,  # type: ignore[union-attr]
            package=report.package,
            status=Status.TRIAGE,
            status_changed_at=at,
            created_at=at,
            updated_at=at,
        )
        for report, number in zip(reports, numbers, strict=True)
    ]
    Case.objects.bulk_create(cases)
    person = actor if getattr(actor, "is_authenticated", False) else None
    label = actor_fields(actor)[1]
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case=c,
            at=at,
            actor=person,
            actor_label=label,
            kind="created",
            new_status=Status.TRIAGE,
            visibility=Visibility.PARTICIPANTS,
        )
        for c in cases
    )
    return cases
