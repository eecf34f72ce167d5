"""Publishing a rejected report, redacted: the package, the reason category and the date.

A deterrent against floods of invalid reports: the public can see that reports on a package
were rejected, and why in one word, but never their text, their reporter or their case.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from akrites.access.policy import require
from akrites.audit.services import audit_append
from akrites.cases.models import Status
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput, NotFound
from akrites.disclosure.models import PublishedRejection, RejectionCategory
from akrites.intake.models import Report, ReportStatus


def _rejected_on(report: Report) -> Any:
    """The date the report was rejected, or None if it is not (now) rejected."""
    case = report.case
    if case is not None and case.status == Status.REJECTED:
        return (case.status_changed_at or case.updated_at).date()
    if report.status == ReportStatus.REJECTED:
        return report.updated_at.date()
    return None


@transaction.atomic
def rejection_publish(*, actor: Actor, report: Report, category: str) -> PublishedRejection:
    """Publish ``report``'s rejection. The reporter may ask for it; the SIRT may decide it by
    policy. Raises NotFound (policy), InvalidInput (unknown category), Conflict (the report is
    not rejected, or its rejection is published already)."""
    require(actor, "rejection.publish", report)
    if category not in RejectionCategory.values:
        raise InvalidInput("category", f"one of {', '.join(RejectionCategory.values)}")
    try:
        # Lock only the report row (its case is an outer join, which FOR UPDATE refuses).
        locked = (
            Report.objects.select_for_update(of=("self",)).select_related("case").get(pk=report.pk)
        )
    except Report.DoesNotExist:
        raise NotFound() from None
    rejected_on = _rejected_on(locked)
    if rejected_on is None:
        raise Conflict("only a rejected report can be published as a rejection")
    by_reporter = locked.reporter_id is not None and locked.reporter_id == getattr(
        actor, "pk", None
    )
    try:
        with transaction.atomic():
            published = PublishedRejection.objects.create(
                report=locked,
                purl=locked.purl,
                category=category,
                rejected_on=rejected_on,
                published_at=now(),
                requested_by="reporter" if by_reporter else "policy",
            )
    except IntegrityError:
        raise Conflict("this rejection is published already") from None
    audit_append(
        actor=actor,
        action="rejection.publish",
        object_type="report",
        object_id=locked.public_id,
        data={"category": category, "requested_by": published.requested_by},
    )
    return published
