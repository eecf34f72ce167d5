"""Recording parsed reports: one transaction for a whole batch, constant query count.

``reports_record`` is the single path every channel (API, bulk stream, web form, CLI, demo)
takes once a submission has been parsed and validated. It stores each report (content only in
encrypted fields), routes it (``routing.route_batch``: de-duplication, the maintainers' scope,
then a case in triage for each new report on a registered package), and appends the audit
entry — all in one transaction, with a fixed number of queries whatever the batch size (bulk
inserts, one id allocation, one chain append). A report on a package Akrites does not know yet
(or naming none) is stored as ``unrouted`` without a case: it waits in the SIRT's unrouted
queue until the SIRT routes it (``services.unrouted``). A report out of the maintainers'
published scope is stored as ``rejected``, with the rule's reason, and opens no case.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from akrites.access.policy import require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import AuditEvent, audit_append_many
from akrites.cases.models import Case
from akrites.cases.triage.hooks import outcomes_record_reports
from akrites.cases.triage.models import Outcome as Finding
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.outbox import notify_each
from akrites.intake.hooks import DedupVerdict, dedup_index, finders_joined
from akrites.intake.models import Attachment, Channel, Report, ReportStatus
from akrites.intake.parsers import PackageRef, ParsedReport
from akrites.intake.quota import check_quota
from akrites.intake.services.routing import Routed, route_batch
from akrites.projects.models import Package
from akrites.projects.services import normalise_purl


@dataclass(frozen=True)
class Submission:
    """One parsed report plus what the channel adds (contact, credit, status link)."""

    parsed: ParsedReport
    contact: str = ""
    credit_name: str = ""
    credit_anonymous: bool = False
    status_digest: str = ""
    encrypted: bool = False


@dataclass
class Outcome:
    report: Report
    case: Case | None = None
    duplicate_of: Case | None = None
    evidence: list[str] = field(default_factory=list)
    dedup: DedupVerdict | None = None


def _details(parsed: ParsedReport) -> str:
    doc = parsed.to_dict()
    # Attachment bytes live in their own encrypted rows; keep only their metadata here.
    doc["attachments"] = [
        {"name": a.name, "media_type": a.media_type, "size": a.size, "sha256": a.sha256}
        for a in parsed.attachments
    ]
    return json.dumps(doc, sort_keys=True)


@transaction.atomic
def reports_record(
    *, actor: Actor, submissions: list[Submission], channel: str = Channel.API
) -> list[Outcome]:
    """Store ``submissions`` (already parsed and valid) and open their cases, atomically.

    Raises NotFound/PermissionDenied from the policy before anything is written. The outcome
    list is in submission order.
    """
    anonymous = not actor.is_authenticated and channel in (Channel.WEB, Channel.EMAIL)
    require(actor, "report.submit_anonymous" if anonymous else "report.submit")
    if not submissions:
        return []
    at = now()
    reporter = user_or_none(actor)
    # Triage: a sender over their daily budget (shrunk by a low finder signal) gets 429.
    check_quota(user=reporter, cost=len(submissions))
    purls = {s.parsed.package.purl for s in submissions if s.parsed.package}
    packages = {
        p.purl: p
        for p in Package.objects.select_related("project").filter(
            purl__in={_package_key(purl) for purl in purls}
        )
    }
    reports: list[Report] = []
    for sub in submissions:
        ref: PackageRef | None = sub.parsed.package
        package = packages.get(_package_key(ref.purl)) if ref else None
        reports.append(
            Report(
                reporter=reporter,
                channel=channel,
                encrypted_submission=sub.encrypted,
                contact=sub.contact,
                status_digest=sub.status_digest,
                source_format=sub.parsed.source_format,
                title=sub.parsed.title,
                body=sub.parsed.description,
                details=_details(sub.parsed),
                purl=ref.purl if ref else "",
                package=package,
                status=ReportStatus.RECEIVED,
                credit_name=sub.credit_name,
                credit_anonymous=sub.credit_anonymous,
                created_at=at,
                updated_at=at,
            )
        )
    routed = route_batch(
        actor=actor, reports=reports, parsed=[s.parsed for s in submissions], at=at
    )
    cases = [r.case for r in routed]
    Report.objects.bulk_create(reports)
    # Every routed report joins the index, duplicates too: the next copy may match any of
    # them. A report answered out of scope does not (a later copy is screened in its turn).
    dedup_index(
        stored=[(r.result, rep) for r, rep in zip(routed, reports, strict=True) if not r.answer]
    )
    # A duplicate's finder is offered credit in the advisory drafted for the case it joined.
    finders_joined(reports=[rep for r, rep in zip(routed, reports, strict=True) if r.duplicate_of])
    Attachment.objects.bulk_create(
        Attachment(
            report=report,
            name=a.name,
            media_type=a.media_type,
            size=a.size,
            content=a.content,
            created_at=at,
            updated_at=at,
        )
        for report, sub in zip(reports, submissions, strict=True)
        for a in sub.parsed.attachments
    )
    # A report answered out of scope counts against its sender as a rejected case would.
    outcomes_record_reports(
        reports=[(rep.pk, rep.reporter_id) for r, rep in zip(routed, reports, strict=True)
                 if r.answer and rep.reporter_id is not None],
        outcome=Finding.INVALID,
        at=at,
    )  # fmt: skip
    # The reporter's access to their case follows from Report.reporter (access.policy), so no
    # participant row is needed. One audit entry covers the batch and names every report and
    # case it created: the chain grows by one hash per transaction, not per report.
    audit_append_many([_audit_event(actor, channel, reports, routed)])
    notify_each("report.received", case_ids=[c.pk if c else None for c in cases], actor=actor)
    return [
        Outcome(
            report=rep,
            case=r.case,
            duplicate_of=r.duplicate_of,
            evidence=r.result.evidence,
            dedup=r.result,
        )
        for rep, r in zip(reports, routed, strict=True)
    ]


def _audit_event(
    actor: Actor, channel: str, reports: list[Report], routed: list[Routed]
) -> AuditEvent:
    created: list[dict[str, Any]] = [
        {
            "report": r.public_id,
            "case": route.case.human_id if route.case else None,
            "status": r.status,
            "project": r.package.project.slug if r.package else None,
            # The maintainers' rule that answered the report (it opened no case).
            **({"scope_rule": route.answer.rule_id} if route.answer else {}),
        }
        for r, route in zip(reports, routed, strict=True)
    ]
    if len(reports) == 1:
        return AuditEvent(
            actor,
            "report.create",
            "report",
            reports[0].public_id,
            {"channel": channel, **created[0]},
        )
    return AuditEvent(
        actor,
        "report.create_batch",
        "report",
        reports[0].public_id,
        {"channel": channel, "count": len(reports), "created": created},
    )


@functools.lru_cache(maxsize=4096)
def _package_key(purl: str) -> str:
    return normalise_purl(purl, field="package.purl").to_string()


def report_create(
    *, actor: Actor, title: str, body: str, purl: str, channel: str = Channel.SYSTEM
) -> Report:
    """Record one report given as plain fields (operator tools and demo data)."""
    parsed = ParsedReport(
        title=title.strip(),
        source_format="akrites",
        description=body,
        package=PackageRef(purl=_package_key(purl)),
    )
    return reports_record(actor=actor, submissions=[Submission(parsed)], channel=channel)[0].report
