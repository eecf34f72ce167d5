"""Writes for reports: recording a report and opening (or joining) its case."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from akrites.access.policy import require
from akrites.audit.services import audit_append
from akrites.cases.models import CaseParticipant, ParticipantRole
from akrites.cases.services.create import case_open
from akrites.core.errors import InvalidInput
from akrites.intake.models import Report, ReportStatus
from akrites.projects.models import Package
from akrites.projects.services import normalise_purl

MAX_TITLE = 300


@transaction.atomic
def report_create(
    *,
    actor: Any,
    title: str,
    body: str,
    purl: str,
    source_format: str = "akrites",
    credit_name: str = "",
) -> Report:
    """Record a report on a registered package and open a case in triage for it.

    All-or-nothing: the report, its case, the reporter's participation and the audit entries
    commit together. Raises InvalidInput for a missing title/body or an unregistered package.
    """
    require(actor, "report.submit")
    title, body = title.strip(), body.strip()
    if not title:
        raise InvalidInput("title", "required")
    if len(title) > MAX_TITLE:
        raise InvalidInput("title", f"at most {MAX_TITLE} characters")
    if not body:
        raise InvalidInput("description", "required")
    canonical = normalise_purl(purl, field="package.purl").to_string()
    package = Package.objects.select_related("project").filter(purl=canonical).first()
    if package is None:
        raise InvalidInput("package.purl", "this package is not registered with Akrites")
    reporter = actor if getattr(actor, "is_authenticated", False) else None
    case = case_open(actor=actor, project=package.project, title=title, package=package, summary="")
    report = Report.objects.create(
        reporter=reporter,
        title=title,
        body=body,
        purl=canonical,
        package=package,
        case=case,
        status=ReportStatus.IN_CASE,
        source_format=source_format,
        credit_name=credit_name,
    )
    if reporter is not None:
        CaseParticipant.objects.create(case=case, user=reporter, role=ParticipantRole.REPORTER)
    audit_append(
        actor=actor,
        action="report.create",
        object_type="report",
        object_id=report.public_id,
        data={"case": case.human_id, "purl": canonical},
    )
    return report
