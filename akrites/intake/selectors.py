"""Reads for reports. A reporter sees their own reports and nothing of anyone else's."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db.models import Min

from akrites.access.policy import allowed, require
from akrites.accounts.actors import user_of
from akrites.cases.models import Case
from akrites.cases.reads import record_read
from akrites.core.actors import Actor
from akrites.core.errors import InvalidInput, NotFound
from akrites.intake.models import Report, ReportStatus
from akrites.projects.models import Project
from akrites.projects.services import normalise_purl

PAGE_FIELDS = (
    "public_id", "title", "status", "public_advisory_id", "credit_rank", "credit_anonymous",
    "credit_name", "created_at", "reporter_id", "case", "case__human_id", "answer",
)  # fmt: skip


def report_list_own(*, viewer: Actor, limit: int = 50, before: str | None = None) -> list[Report]:
    """The viewer's newest reports (at most ``limit``, 1 to 200), older than report ``before``.

    Keyset pagination over the ``(reporter, created_at)`` index: the cost of a page does not
    grow with the number of reports a scanner has filed. Only the columns a list shows are
    loaded (the body and parsed details stay encrypted in the database). ``before`` must be
    one of the viewer's reports, else NotFound.
    """
    require(viewer, "report.view_own")
    own = Report.objects.filter(reporter=user_of(viewer))
    if before is not None:
        anchor = own.filter(public_id=before).values_list("created_at", "id").first()
        if anchor is None:
            raise NotFound()
        # A range on the indexed column (an OR of two ranges is not one index range), then
        # the ties at the anchor's instant that come before it.
        own = own.filter(created_at__lte=anchor[0]).exclude(created_at=anchor[0], id__gte=anchor[1])
    page = own.select_related("case").only(*PAGE_FIELDS).order_by("-created_at", "-id")
    return list(page[: max(1, min(limit, 200))])


def report_get(*, viewer: Actor, public_id: str) -> Report:
    """The report, or NotFound if it does not exist or the viewer may not see it."""
    report = (
        Report.objects.select_related("case", "case__project").filter(public_id=public_id).first()
    )
    if report is None:
        raise NotFound()
    require(viewer, "report.view", report)
    record_read(viewer=viewer, case=report.case, what="report", ref=report.public_id)
    return report


def status_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def report_by_status_secret(*, secret: str) -> Report:
    """An anonymous reporter's view: the secret link is the credential."""
    if not secret or len(secret) > 100:
        raise NotFound()
    report = (
        Report.objects.select_related("case").filter(status_digest=status_digest(secret)).first()
    )
    if report is None:
        raise NotFound()
    return report


def first_report_at(*, viewer: Actor, case: Case) -> datetime | None:
    """When the case's earliest report was received (a merge may bring in an earlier one
    than the report that opened it); None for a case without reports. Those who may read
    the case's reports only (``case.view_reports``): a co-reporter learns no other finder's
    time. Raises NotFound/PermissionDenied (policy)."""
    require(viewer, "case.view_reports", case)
    row = Report.objects.filter(case=case).aggregate(first=Min("created_at"))
    first: datetime | None = row["first"]
    return first


# What the SIRT's lists of reports without a case show: identifiers, the package named and
# the outcome — never report text (reading that is audited, one report at a time).
QUEUE_FIELDS = (
    "public_id", "status", "purl", "created_at", "channel", "reporter_id",
    "public_advisory_id", "encrypted_submission",
)  # fmt: skip
# Answered at intake, without a case: the SIRT reviews them (a wrong screen or match).
ANSWERED = (ReportStatus.ALREADY_PUBLIC, ReportStatus.REJECTED)


def _sirt_only(viewer: Actor, action: str) -> None:
    # The same 404 as for a page that does not exist: the queue's existence is no secret,
    # but nothing about its reports (not even whether an id is in it) is told to others.
    if not allowed(viewer, action):
        raise NotFound()


def unrouted_list(*, viewer: Actor, limit: int = 100) -> list[Report]:
    """Reports waiting for the SIRT to route them to a project, oldest first (1 to 500)."""
    _sirt_only(viewer, "report.view_unrouted")
    waiting = Report.objects.filter(status=ReportStatus.UNROUTED, case__isnull=True)
    return list(waiting.only(*QUEUE_FIELDS).order_by("created_at", "id")[: max(1, min(limit, 500))])


def unrouted_count(*, viewer: Actor) -> int:
    _sirt_only(viewer, "report.view_unrouted")
    return Report.objects.filter(status=ReportStatus.UNROUTED, case__isnull=True).count()


def answered_list(*, viewer: Actor, limit: int = 100) -> list[Report]:
    """Reports answered at intake without a case (already public, out of the maintainers'
    scope), newest first (1 to 500)."""
    _sirt_only(viewer, "report.view_unrouted")
    answered = Report.objects.filter(status__in=ANSWERED, case__isnull=True)
    return list(
        answered.only(*QUEUE_FIELDS).order_by("-created_at", "-id")[: max(1, min(limit, 500))]
    )


def unrouted_get(*, viewer: Actor, public_id: str) -> Report:
    """One waiting report, for routing it; its text is read, so the read is audited.

    NotFound for anyone who may not route reports (whether or not the id exists) and for a
    report that is not waiting (already routed or answered).
    """
    _sirt_only(viewer, "report.route")
    report = Report.objects.filter(
        public_id=public_id, status=ReportStatus.UNROUTED, case__isnull=True
    ).first()
    if report is None:
        raise NotFound()
    record_read(viewer=viewer, case=None, what="report", ref=report.public_id)
    return report


def unrouted_same_package(*, viewer: Actor, report: Report) -> list[Report]:
    """The waiting reports routing ``report`` would route with it (itself included)."""
    _sirt_only(viewer, "report.route")
    return waiting_on(report.purl, also=report) if report.purl else [report]


def route_targets(*, viewer: Actor) -> list[tuple[str, str]]:
    """(slug, name) of every project, by name: where a waiting report may be attached."""
    _sirt_only(viewer, "report.route")
    return list(Project.objects.order_by("name", "slug").values_list("slug", "name"))


def waiting_on(purl: str, *, also: Report | None = None, lock: bool = False) -> list[Report]:
    """The unrouted reports on the package of ``purl`` (plus ``also``), oldest first; no
    policy check (callers hold ``report.route``). ``lock`` takes their rows for update.

    Report.purl keeps what the reporter wrote (a version, qualifiers); a package is the purl
    without them, so candidates are narrowed by type and name, then compared normalised.
    """
    target = _package_of(purl)
    found: dict[int, Report] = {}
    if target is not None:
        kind, name = target.split("/", 1)[0], target.rsplit("/", 1)[-1]
        candidates = Report.objects.filter(
            status=ReportStatus.UNROUTED,
            case__isnull=True,
            purl__istartswith=f"{kind}/",
            purl__icontains=name,
        )
        if lock:
            candidates = candidates.select_for_update()
        found = {r.pk: r for r in candidates if _package_of(r.purl) == target}
    if also is not None:
        found.setdefault(also.pk, also)
    return sorted(found.values(), key=lambda r: (r.created_at, r.pk))


def _package_of(purl: str) -> str | None:
    try:
        return normalise_purl(purl, field="purl").to_string()
    except InvalidInput:
        return None
