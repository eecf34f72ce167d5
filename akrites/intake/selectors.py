"""Reads for reports. A reporter sees their own reports and nothing of anyone else's."""

from __future__ import annotations

import hashlib
from typing import Any

from akrites.access.policy import require
from akrites.access.reads import record_read
from akrites.core.errors import NotFound
from akrites.intake.models import Report


def report_list_own(*, viewer: Any, limit: int = 200) -> list[Report]:
    require(viewer, "report.view_own")
    return list(
        Report.objects.filter(reporter=viewer)
        .select_related("case")
        .order_by("-created_at", "-id")[: max(1, min(limit, 1000))]
    )


def report_get(*, viewer: Any, public_id: str) -> Report:
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
