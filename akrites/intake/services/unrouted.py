"""Routing reports no case could hold: register their package, then route them.

A report on a package Akrites does not know (or naming none) is stored ``unrouted``
(``routing.route_batch``) and waits in the SIRT's unrouted queue. The SIRT routes it either
by registering a new project for its package (``unrouted_register``) or by adding the
package to an existing project (``unrouted_attach``). Either way every report waiting on
that package — and the one the SIRT started from, whatever it named — then takes the normal
route (``route_batch``: scope screen, open or join the case, credit ranks), in arrival order,
keeping the duplicate decision taken when each arrived. One transaction, one audit entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from akrites.access.policy import require
from akrites.audit.services import audit_append
from akrites.cases.models import Case, Status
from akrites.cases.triage.hooks import outcomes_record_reports
from akrites.cases.triage.models import Outcome as Finding
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import InvalidInput, NotFound, PermissionDenied
from akrites.core.outbox import notify_each
from akrites.intake.hooks import DedupVerdict
from akrites.intake.models import Report, ReportStatus
from akrites.intake.parsers import PackageRef, ParsedReport
from akrites.intake.parsers.model import MAX_TITLE_CHARS
from akrites.intake.selectors import waiting_on
from akrites.intake.services.routing import route_batch
from akrites.projects.models import Package, Project
from akrites.projects.registry import project_register, registry_row_parse
from akrites.projects.services import normalise_purl, package_add

ROUTED_FIELDS = [
    "package", "case", "status", "credit_rank", "answer", "dedup", "public_advisory_id",
    "updated_at",
]  # fmt: skip


REGISTER_FIELDS = ("name", "ecosystem", "purl", "repository_url", "security_contact")


@dataclass(frozen=True)
class NewProject:
    """The register form: the project and the one package (purl) the report is about."""

    name: str
    ecosystem: str
    purl: str
    repository_url: str = ""
    security_contact: str = ""


@dataclass(frozen=True)
class RouteResult:
    project: Project
    package: Package
    reports: list[Report]  # every report routed, in arrival order


@transaction.atomic
def unrouted_register(*, actor: Actor, report_id: str, new: NewProject) -> RouteResult:
    """Register ``new`` as a project with its package, then route the waiting reports.

    Raises NotFound (not the SIRT, or the report is not waiting) and InvalidInput (a bad
    field, a project of that name, a package already registered) before anything is stored.
    """
    report = _waiting(actor, report_id)
    purl = _purl(new.purl, new.ecosystem)
    row = registry_row_parse(
        {
            "name": new.name,
            "repository_url": new.repository_url,
            "security_contact": new.security_contact,
            "purls": [purl],
        }
    )
    if Project.objects.filter(slug=row.slug).exists():
        # Registering must never overwrite a project: attaching to it is the other button.
        raise InvalidInput("name", "a project of this name exists: attach the package to it")
    if Package.objects.filter(purl=purl).exists():
        raise InvalidInput("purl", "this package is registered: route the report to its project")
    project, _ = project_register(actor=actor, row=row)
    package = Package.objects.get(purl=purl)
    return _route(actor, report, project, package, "report.route_register")


@transaction.atomic
def unrouted_attach(*, actor: Actor, report_id: str, project_slug: str, purl: str) -> RouteResult:
    """Add ``purl`` to the existing project (or use it, if that project has it already),
    then route the waiting reports. Raises NotFound, InvalidInput (no such project, a purl
    registered to another project)."""
    report = _waiting(actor, report_id)
    canonical = _purl(purl, None)
    project = Project.objects.filter(slug=project_slug).first()
    if project is None:
        raise InvalidInput("project", "no project with this slug")
    package = Package.objects.filter(purl=canonical).first()
    if package is None:
        package = package_add(actor=actor, project=project, purl=canonical)
    elif package.project_id != project.pk:
        raise InvalidInput("purl", "this package is registered to another project")
    return _route(actor, report, project, package, "report.route_attach")


def _waiting(actor: Actor, report_id: str) -> Report:
    """The waiting report, locked. NotFound for anyone who may not route reports — the
    same answer as for an id that does not exist or a report that is not waiting (a URL
    names the report: whether it exists is not told to others)."""
    try:
        require(actor, "report.route")
    except PermissionDenied:
        raise NotFound() from None
    report = (
        Report.objects.select_for_update()
        .filter(public_id=report_id, status=ReportStatus.UNROUTED, case__isnull=True)
        .first()
    )
    if report is None:
        raise NotFound()
    return report


def _purl(value: str, ecosystem: str | None) -> str:
    parsed = normalise_purl(value, field="purl")
    if ecosystem is not None and ecosystem.strip().lower() != parsed.type:
        raise InvalidInput("ecosystem", f"the package URL is of type {parsed.type!r}")
    return parsed.to_string()


def _route(
    actor: Actor, first: Report, project: Project, package: Package, action: str
) -> RouteResult:
    reports = waiting_on(package.purl, also=first, lock=True)
    at = now()
    for report in reports:
        report.package, report.updated_at = package, at
    routed = route_batch(
        actor=actor,
        reports=reports,
        parsed=[_parsed(r) for r in reports],
        at=at,
        verdicts=_verdicts(reports),
    )
    Report.objects.bulk_update(reports, ROUTED_FIELDS)
    # A report answered out of scope counts against its sender, as at intake.
    outcomes_record_reports(
        reports=[(r.pk, r.reporter_id) for r, route in zip(reports, routed, strict=True)
                 if route.answer and r.reporter_id is not None],
        outcome=Finding.INVALID,
        at=at,
    )  # fmt: skip
    audit_append(
        actor=actor,
        action=action,
        object_type="report",
        object_id=first.public_id,
        data={
            "project": project.slug,
            "package": package.purl,
            "routed": [
                {
                    "report": r.public_id,
                    "status": r.status,
                    "case": route.case.human_id if route.case else None,
                }
                for r, route in zip(reports, routed, strict=True)
            ],
        },
    )
    # The SIRT is told of each new case as of a report arriving on a registered package.
    opened = [route.case.pk for route in routed if route.case and route.duplicate_of is None]
    if opened:
        notify_each("report.received", case_ids=opened, actor=actor)
    return RouteResult(project=project, package=package, reports=reports)


def _parsed(report: Report) -> ParsedReport:
    try:
        return ParsedReport.from_dict(json.loads(report.details))
    except (ValueError, KeyError, TypeError):
        # A row stored before ``details`` existed: its title and text are what there is.
        return ParsedReport(
            title=" ".join(report.title.split())[:MAX_TITLE_CHARS] or report.public_id,
            source_format="akrites",
            description=report.body,
            package=PackageRef(purl=report.package.purl) if report.package else None,
        )


def _verdicts(reports: list[Report]) -> list[DedupVerdict]:
    """The decision each report got when it arrived, as ``route_batch`` takes it.

    A copy of a report routed in this batch joins that report's case-to-be; a copy of one
    that has a case since joins that case (the original it was merged into, if merged); a
    copy of one that is still waiting elsewhere, and every other report, is new here.
    """
    stored = {r.public_id: _stored(r) for r in reports}
    originals = {
        r.public_id: r
        for r in Report.objects.select_related("case").filter(
            public_id__in={d["duplicate_of"] for d in stored.values() if d.get("duplicate_of")}
        )
    }
    seen: set[str] = set()
    verdicts = []
    for report in reports:
        doc = stored[report.public_id]
        original = originals.get(doc.get("duplicate_of") or "")
        base: dict[str, Any] = {
            "key": report.public_id,
            "score": float(doc.get("score") or 0.0),
            "evidence": list(doc.get("evidence") or []),
            "related": [tuple(x) for x in doc.get("related") or []],
        }
        if doc.get("kind") == "duplicate" and original is not None:
            if original.public_id in seen:
                verdicts.append(
                    DedupVerdict(kind="duplicate", duplicate_of=original.public_id, **base)
                )
            elif original.case is not None:
                verdicts.append(
                    DedupVerdict(
                        kind="duplicate",
                        case=_surviving(original.case),
                        duplicate_of=original.public_id,
                        **base,
                    )
                )
            else:
                verdicts.append(DedupVerdict(kind="new", **base))
        else:
            verdicts.append(DedupVerdict(kind="new", **base))
        seen.add(report.public_id)
    return verdicts


def _stored(report: Report) -> dict[str, Any]:
    try:
        doc = json.loads(report.dedup or "{}")
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _surviving(case: Case) -> Case:
    # A case merged away is a duplicate of the one its reports went to.
    if case.status == Status.DUPLICATE and case.duplicate_of_id is not None:
        return Case.objects.get(pk=case.duplicate_of_id)
    return case


def prefill(purl: str) -> dict[str, str]:
    """The register form from a report's purl (blank when it names none, or a bad one)."""
    blank = dict.fromkeys(REGISTER_FIELDS, "")
    try:
        parsed = normalise_purl(purl)
    except InvalidInput:
        return blank
    return {**blank, "name": parsed.name, "ecosystem": parsed.type, "purl": parsed.to_string()}
