"""Reads for confidentiality. Each takes the viewer and applies ``access.policy`` inside.

Embargoed content (report text, attachments) is read only through ``case_content``, which
returns only the fields the viewer may read and audits each read (``access.reads``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Prefetch
from univers.version_range import VersionRange

from akrites.access.policy import allowed, allowed_cases, case_roles, may_read_field, require
from akrites.accounts.actors import user_of, user_or_none
from akrites.cases.models import Case
from akrites.cases.reads import record_read
from akrites.cases.selectors import case_get
from akrites.confidentiality.ends import default_embargo
from akrites.confidentiality.models import (
    ChangeStatus,
    Embargo,
    EmbargoChange,
    PrenotificationGrant,
    SbomComponent,
)
from akrites.confidentiality.parties import live_grant
from akrites.confidentiality.services.consent import require_prenotify
from akrites.confidentiality.services.prenotify import embargo_terms
from akrites.core.actors import Actor
from akrites.core.errors import NotFound
from akrites.intake.models import Attachment, Report
from akrites.orgs.models import Organisation, OrgKind

logger = logging.getLogger(__name__)


def viewer_zone(viewer: Actor) -> tzinfo:
    user = user_or_none(viewer)
    try:
        return ZoneInfo((user.time_zone if user is not None else "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True)
class EmbargoView:
    """The embargo as the viewer should see it: the instant in UTC and in their zone."""

    embargo: Embargo | None
    ends_at_local: datetime | None
    zone: str
    pending: list[EmbargoChange] = field(default_factory=list)

    @property
    def ends_at(self) -> datetime | None:
        return self.embargo.ends_at if self.embargo else None


def embargo_view(*, viewer: Actor, case: Case) -> EmbargoView:
    """The stored embargo, or the policy default before anyone chose a date (unsaved)."""
    require(viewer, "case.read_embargo", case)
    embargo = Embargo.objects.filter(case=case).first() or default_embargo(case)
    zone = viewer_zone(viewer)
    pending: list[EmbargoChange] = []
    if embargo is not None and embargo.pk is not None and allowed(viewer, "embargo.set_date", case):
        pending = list(embargo.changes.filter(status=ChangeStatus.PENDING).order_by("id"))
    return EmbargoView(
        embargo=embargo,
        ends_at_local=embargo.ends_at.astimezone(zone) if embargo else None,
        zone=str(zone),
        pending=pending,
    )


def change_get(*, viewer: Actor, human_id: str, change_id: int) -> EmbargoChange:
    case = case_get(viewer=viewer, human_id=human_id)
    change = (
        EmbargoChange.objects.select_related("embargo__case__project")
        .filter(pk=change_id, embargo__case=case)
        .first()
    )
    if change is None or not allowed(viewer, "embargo.set_date", case):
        raise NotFound()
    return change


@dataclass(frozen=True)
class ReportContent:
    public_id: str
    title: str
    body: str
    attachments: list[tuple[int, str, int]]  # (id, name, size); bytes via attachment_get


@dataclass(frozen=True)
class CaseContent:
    """What of the case's embargoed content the viewer may read; absent fields are None."""

    reports: list[ReportContent] | None
    internal_notes: bool
    advisory_draft: bool
    patch: bool


def case_content(*, viewer: Actor, case: Case) -> CaseContent:
    """Report text for those allowed (own reports for a reporter), each read audited."""
    require(viewer, "case.view", case)
    qs = Report.objects.filter(case=case).order_by("credit_rank", "id")
    if not may_read_field(viewer, case, "report_text"):
        qs = (
            qs.filter(reporter=user_of(viewer))
            if "reporter" in case_roles(viewer, case)
            else qs.none()
        )
    attachments = may_read_field(viewer, case, "attachment")
    reports = list(qs.prefetch_related(Prefetch("attachments", Attachment.objects.order_by("id"))))
    out = []
    for r in reports:
        record_read(viewer=viewer, case=case, what="report", ref=r.public_id)
        own = r.reporter_id == viewer.pk
        files = [(a.pk, a.name, a.size) for a in r.attachments.all()] if attachments or own else []
        out.append(ReportContent(r.public_id, r.title, r.body, files))
    return CaseContent(
        reports=out if reports or may_read_field(viewer, case, "report_text") else None,
        internal_notes=may_read_field(viewer, case, "internal_notes"),
        advisory_draft=may_read_field(viewer, case, "advisory_draft"),
        patch=may_read_field(viewer, case, "patch"),
    )


def attachment_get(*, viewer: Actor, human_id: str, attachment_id: int) -> Attachment:
    """One attachment's bytes, for those who may read attachments (or its reporter); audited."""
    case = case_get(viewer=viewer, human_id=human_id)
    att = (
        Attachment.objects.select_related("report")
        .filter(pk=attachment_id, report__case=case)
        .first()
    )
    own = att is not None and att.report.reporter_id == viewer.pk
    if att is None or not (own or may_read_field(viewer, case, "attachment")):
        raise NotFound()
    record_read(viewer=viewer, case=case, what="attachment", ref=str(att.pk))
    return att


@dataclass(frozen=True)
class TermsView:
    case: Case
    embargo: Embargo
    text: str
    accepted_at: datetime | None
    ends_at_local: datetime


def terms_view(*, viewer: Actor, human_id: str) -> TermsView:
    """The terms a pre-notified person must accept; nothing else of the case (not its title)."""
    case = Case.objects.select_related("project").filter(human_id=human_id).first()
    if case is None or not allowed(viewer, "embargo.read_terms", case):
        raise NotFound()
    embargo = Embargo.objects.filter(case=case).first()
    if embargo is None:
        raise NotFound()
    grant = (
        PrenotificationGrant.objects.filter(
            case=case, user=user_of(viewer), revoked_at__isnull=True
        )
        .order_by("id")
        .first()
    )
    return TermsView(
        case=case,
        embargo=embargo,
        text=embargo_terms(case=case, embargo=embargo),
        accepted_at=grant.accepted_at if grant else None,
        ends_at_local=embargo.ends_at.astimezone(viewer_zone(viewer)),
    )


def awaiting_terms(*, viewer: Actor) -> list[TermsView]:
    """The terms of every case the viewer was told of and has not accepted yet (the policy's
    ``pending_observer``, ``embargo.read_terms``), newest grant first: the case id, the
    embargo end and the terms, nothing else of the case. Three queries for the list."""
    user = user_or_none(viewer)
    if user is None:
        return []
    grants = PrenotificationGrant.objects.filter(live_grant(accepted=False), user=user)
    cases = list(
        Case.objects.select_related("project")
        .filter(pk__in=grants.values("case_id"))
        .order_by("-created_at", "-id")
    )
    readable = allowed_cases(viewer, "embargo.read_terms", cases)
    cases = [c for c in cases if c.pk in readable]
    embargoes = {e.case_id: e for e in Embargo.objects.filter(case__in=cases)}
    zone = viewer_zone(viewer)
    return [
        TermsView(
            case=case,
            embargo=embargo,
            text=embargo_terms(case=case, embargo=embargo),
            accepted_at=None,
            ends_at_local=embargo.ends_at.astimezone(zone),
        )
        for case in cases
        if (embargo := embargoes.get(case.pk)) is not None
    ]


@dataclass(frozen=True)
class Candidate:
    organisation: Organisation
    matches: list[tuple[str, str]]  # (purl, version) found in its SBOMs
    already_granted: bool


def affected_ranges(case: Case) -> dict[str, list[str]]:
    """Versionless purl → affected ``vers`` ranges, from the case's reports ([] = unknown)."""
    ranges: dict[str, list[str]] = {}
    if case.package is not None:
        ranges.setdefault(case.package.purl, [])
    for details in Report.objects.filter(case=case).values_list("details", flat=True):
        try:
            package = json.loads(str(details or "{}")).get("package") or {}
        except ValueError:
            continue
        purl = package.get("purl")
        if isinstance(purl, str) and purl:
            found = ranges.setdefault(purl.split("@", 1)[0], [])
            if isinstance(package.get("affected"), str):
                found.append(package["affected"])
    return ranges


def _affected(version: str, ranges: list[str]) -> bool:
    """True when ``version`` is in one of ``ranges``; an unknown range counts as affected."""
    if not ranges:
        return True
    for text in ranges:
        try:
            vr = VersionRange.from_string(text)  # type: ignore[no-untyped-call]
            if vr.version_class(version) in vr:
                return True
        except Exception:  # univers raises many types for versions of another scheme
            logger.info("version not comparable with the case range")
    return False


def prenotify_candidates(*, viewer: Actor, case: Case) -> list[Candidate]:
    """Member organisations whose SBOM has the package in an affected version."""
    require_prenotify(viewer, "prenotify.view_candidates", case)
    ranges = affected_ranges(case)
    rows = SbomComponent.objects.filter(
        purl__in=list(ranges),
        sbom__organisation__kind__in=[OrgKind.MEMBER, OrgKind.DOWNSTREAM],
    ).select_related("sbom__organisation")
    by_org: dict[int, tuple[Organisation, set[tuple[str, str]]]] = {}
    for row in rows:
        if _affected(row.version, ranges[row.purl]):
            org = row.sbom.organisation
            by_org.setdefault(org.pk, (org, set()))[1].add((row.purl, row.version))
    granted = set(
        PrenotificationGrant.objects.filter(case=case).values_list("organisation_id", flat=True)
    )
    return [
        Candidate(org, sorted(matches), org.pk in granted)
        for org, matches in sorted(by_org.values(), key=lambda x: x[0].slug)
    ]


def case_panel(*, viewer: Actor, case: Case) -> dict[str, Any]:
    """The case room's confidentiality context: embargo, readable content, links."""
    return {
        "embargo": embargo_view(viewer=viewer, case=case),
        "content": case_content(viewer=viewer, case=case),
        "may_prenotify": allowed(viewer, "prenotify.view_candidates", case),
        "may_export": allowed(viewer, "case.export", case),
    }
