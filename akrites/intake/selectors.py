"""Reads for reports. A reporter sees their own reports and nothing of anyone else's."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db.models import Min

from akrites.access.policy import require
from akrites.accounts.actors import user_of
from akrites.cases.models import Case
from akrites.cases.reads import record_read
from akrites.core.actors import Actor
from akrites.core.errors import NotFound
from akrites.intake.models import Report

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
