"""Routing a batch of reports: decide, screen, then open, join or answer.

Called by ``reports_record`` inside its transaction. Every report is first decided
(``hooks.dedup_decide``): ``new`` (a case is to be opened when the package is registered;
otherwise the report is ``unrouted`` and waits for the SIRT to route it),
``duplicate`` (join the case of the report it duplicates: the first finder keeps first credit,
later finders rank after them and become reporters of that case, seeing its status only), or
``already_public`` (no embargoed case is opened; the report names the published advisory).
Then, before any case is opened, each case-to-be is screened against the maintainers'
published scope (``hooks.scope_screen``): one out of scope is answered — its reports are
``rejected`` with the rule's reason — and never opened. Cases are opened by
``cases.services.cases_open_many``. Queries do not grow with the batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max

from akrites.cases.models import Case
from akrites.cases.services import CaseOpening, cases_open_many
from akrites.core.actors import Actor
from akrites.intake.hooks import (
    DedupQuery,
    DedupVerdict,
    ScopeAnswer,
    ScopeQuery,
    dedup_decide,
    scope_screen,
)
from akrites.intake.models import Report, ReportStatus
from akrites.intake.parsers import ParsedReport


@dataclass(frozen=True)
class Routed:
    case: Case | None
    duplicate_of: Case | None
    result: DedupVerdict
    answer: ScopeAnswer | None = None  # set when the report was screened out (no case)


def route_batch(
    *,
    actor: Actor,
    reports: list[Report],
    parsed: list[ParsedReport],
    at: datetime,
    verdicts: Sequence[DedupVerdict] | None = None,
) -> list[Routed]:
    """Decide every report, screen the cases the new ones would open, open those in scope,
    and set each report's case, status, credit rank, answer and (encrypted) dedup evidence.
    A report that gets no case and no answer is ``unrouted``: the SIRT's unrouted queue
    holds it. Reports are not saved here.

    ``verdicts`` (one per report, in order) skips deciding: stored reports routed later by
    the SIRT keep the decision taken when they arrived (deciding again would match each one
    against its own entry in the index).
    """
    results = verdicts if verdicts is not None else _decide(reports, parsed)
    if len(results) != len(reports):
        raise ValueError("one verdict per report")
    answers = _screen(reports, parsed, results)
    opening = [
        (r, p)
        for r, p, res in zip(reports, parsed, results, strict=True)
        if res.kind == "new" and r.package and r.public_id not in answers
    ]
    cases = cases_open_many(actor=actor, items=[_opening(r, p) for r, p in opening], at=at)
    opened = {r.public_id: case for (r, _), case in zip(opening, cases, strict=True)}
    ranks = _credit_ranks({res.case.pk for res in results if res.case is not None})
    assigned: dict[str, Case | None] = {}
    routed = []
    for report, res in zip(reports, results, strict=True):
        answer = answers.get(report.public_id)
        case, original = (
            _answer(report, answer) if answer else _place(report, res, opened, assigned)
        )
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
                # The report it duplicates: routing a waiting copy later follows it.
                "duplicate_of": res.duplicate_of,
            }
        )
        assigned[report.public_id] = case
        routed.append(Routed(case=case, duplicate_of=original, result=res, answer=answer))
    return routed


def _decide(reports: list[Report], parsed: list[ParsedReport]) -> Sequence[DedupVerdict]:
    return dedup_decide(
        queries=[
            DedupQuery(
                key=r.public_id, parsed=p, project_id=r.package.project_id if r.package else None
            )
            for r, p in zip(reports, parsed, strict=True)
        ]
    )


def _screen(
    reports: list[Report], parsed: list[ParsedReport], results: Sequence[DedupVerdict]
) -> dict[str, ScopeAnswer]:
    """Screen each case-to-be (a new report on a registered package, with the copies of it
    in this batch); the answers of those out of scope, by report key.

    Copies joining an existing case are not screened: that case was screened when it was
    opened, and a copy must not answer (reject) another finder's case.
    """
    groups: dict[str, list[int]] = {}
    root: dict[str, str] = {}  # report key → the key of the new report whose case it joins
    for index, (report, res) in enumerate(zip(reports, results, strict=True)):
        if res.kind == "new" and report.package is not None:
            root[report.public_id] = report.public_id
        elif res.kind == "duplicate" and res.case is None and (res.duplicate_of or "") in root:
            root[report.public_id] = root[res.duplicate_of or ""]
        else:
            continue
        groups.setdefault(root[report.public_id], []).append(index)
    if not groups:
        return {}
    members = list(groups.values())
    verdicts = scope_screen(
        queries=[
            ScopeQuery(
                project_id=reports[group[0]].package.project_id,  # type: ignore[union-attr]
                reports=tuple(parsed[i] for i in group),
            )
            for group in members
        ]
    )
    return {
        reports[i].public_id: answer
        for group, answer in zip(members, verdicts, strict=True)
        if answer is not None
        for i in group
    }


def _opening(report: Report, parsed: ParsedReport) -> CaseOpening:
    # The reporter's proposed CVSS / CWE seed the new case (a duplicate joins a case that
    # already has its own assessment).
    return CaseOpening(
        project=report.package.project,  # type: ignore[union-attr]
        package=report.package,
        title=report.title,
        proposed_cvss=parsed.cvss,
        proposed_cwe=parsed.cwe[0] if parsed.cwe else "",
    )


def _answer(report: Report, answer: ScopeAnswer) -> tuple[None, None]:
    report.status, report.answer = ReportStatus.REJECTED, answer.reason
    return None, None


def _place(
    report: Report, res: DedupVerdict, opened: dict[str, Case], assigned: dict[str, Case | None]
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
        # Duplicates a report still awaiting routing: both wait in the unrouted queue.
        report.status = ReportStatus.UNROUTED
        return None, None
    case = opened.get(report.public_id)
    if case is None:  # no registered package: the SIRT routes it
        report.status = ReportStatus.UNROUTED
        return None, None
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
