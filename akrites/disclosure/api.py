"""Advisory endpoints at ``/api/v1/advisories``: draft, edit, schedule, CVE id, approve (or
take the approval back), revise and withdraw; and ``/api/v1/advisories/rejections`` to
publish a rejected report. Approving, revising and withdrawing need a fresh second factor
(a browser session that stepped up); API tokens cannot perform them.

Request bodies have only optional fields, so that a caller who may not see the case gets the
same 404 whatever they send; services validate what is missing.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from akrites.cases.selectors import case_get
from akrites.core.errors import InvalidInput
from akrites.disclosure import selectors, services
from akrites.disclosure.models import Advisory
from akrites.intake.selectors import report_get

router = Router(tags=["advisories"])


class ApprovalOut(Schema):
    revision: int
    release: str
    approved_by: str
    approved_at: datetime


class AdvisoryOut(Schema):
    case: str
    state: str
    revision: int
    cve_id: str
    disclose_at: datetime | None
    published_at: datetime | None
    public_id: str | None
    version: int | None
    approval: ApprovalOut | None
    content: dict[str, Any]


class ApproveIn(Schema):
    revision: int | None = None
    release: str = "now"


class ReasonIn(Schema):
    reason: str = ""


class ReviseIn(Schema):
    content: dict[str, Any] | None = None
    reason: str = ""


class AdvisoryIn(Schema):
    content: dict[str, Any] | None = None


class ScheduleIn(Schema):
    disclose_at: datetime | None = None


class RejectionIn(Schema):
    report_id: str = ""
    category: str = ""


class RejectionOut(Schema):
    purl: str
    category: str
    rejected_on: str


def _out(advisory: Advisory) -> AdvisoryOut:
    public = selectors.public_of(advisory)
    approval = selectors.current_approval(advisory)
    return AdvisoryOut(
        case=advisory.case.human_id,
        state=advisory.state,
        revision=advisory.revision,
        cve_id=advisory.cve_id,
        disclose_at=advisory.disclose_at,
        published_at=advisory.published_at,
        public_id=public.public_id if public else None,
        version=public.version if public else None,
        approval=ApprovalOut(
            revision=approval.revision,
            release=approval.release,
            approved_by=approval.approved_by_label,
            approved_at=approval.approved_at,
        )
        if approval
        else None,
        content=json.loads(advisory.content),
    )


@router.post("/rejections", response={201: RejectionOut})
def publish_rejection(request: HttpRequest, body: RejectionIn) -> Status[RejectionOut]:
    report = report_get(viewer=request.user, public_id=body.report_id)
    done = services.rejection_publish(actor=request.user, report=report, category=body.category)
    return Status(
        201,
        RejectionOut(purl=done.purl, category=done.category, rejected_on=str(done.rejected_on)),
    )


@router.post("/{case_id}", response={201: AdvisoryOut})
def create(request: HttpRequest, case_id: str) -> Status[AdvisoryOut]:
    case = case_get(viewer=request.user, human_id=case_id)
    return Status(201, _out(services.advisory_create(actor=request.user, case=case)))


@router.get("/{case_id}", response=AdvisoryOut)
def get(request: HttpRequest, case_id: str) -> AdvisoryOut:
    return _out(selectors.advisory_for_case(viewer=request.user, human_id=case_id))


@router.patch("/{case_id}", response=AdvisoryOut)
def update(request: HttpRequest, case_id: str, body: AdvisoryIn) -> AdvisoryOut:
    advisory = selectors.advisory_for_case(viewer=request.user, human_id=case_id)
    if body.content is None:
        raise InvalidInput("content", "is required")
    return _out(
        services.advisory_update(actor=request.user, advisory=advisory, changes=body.content)
    )


@router.post("/{case_id}/schedule", response=AdvisoryOut)
def schedule(request: HttpRequest, case_id: str, body: ScheduleIn) -> AdvisoryOut:
    advisory = selectors.advisory_for_case(viewer=request.user, human_id=case_id)
    return _out(
        services.advisory_schedule(
            actor=request.user, advisory=advisory, disclose_at=body.disclose_at
        )
    )


@router.post("/{case_id}/cve", response=AdvisoryOut)
def reserve_cve(request: HttpRequest, case_id: str) -> AdvisoryOut:
    advisory = selectors.advisory_for_case(viewer=request.user, human_id=case_id)
    return _out(services.advisory_reserve_cve(actor=request.user, advisory=advisory))


@router.post("/{case_id}/approve", response=AdvisoryOut)
def approve(request: HttpRequest, case_id: str, body: ApproveIn) -> AdvisoryOut:
    """Approve the named revision: ``now`` publishes at once (the case must be due),
    ``at_instant`` leaves it to the worker at the disclosure instant."""
    advisory = selectors.advisory_for_case(viewer=request.user, human_id=case_id)
    done = services.advisory_approve(
        actor=request.user, advisory=advisory, revision=body.revision, release=body.release
    )
    return _out(done)


@router.post("/{case_id}/approval/withdraw", response=AdvisoryOut)
def withdraw_approval(request: HttpRequest, case_id: str, body: ReasonIn) -> AdvisoryOut:
    advisory = selectors.advisory_for_case(viewer=request.user, human_id=case_id)
    return _out(
        services.advisory_withdraw_approval(
            actor=request.user, advisory=advisory, reason=body.reason
        )
    )


@router.post("/{case_id}/revise", response=AdvisoryOut)
def revise(request: HttpRequest, case_id: str, body: ReviseIn) -> AdvisoryOut:
    advisory = selectors.advisory_for_case(viewer=request.user, human_id=case_id)
    services.advisory_revise(
        actor=request.user, advisory=advisory, changes=body.content or {}, reason=body.reason
    )
    return _out(selectors.advisory_for_case(viewer=request.user, human_id=case_id))


@router.post("/{case_id}/withdraw", response=AdvisoryOut)
def withdraw(request: HttpRequest, case_id: str, body: ReasonIn) -> AdvisoryOut:
    advisory = selectors.advisory_for_case(viewer=request.user, human_id=case_id)
    services.advisory_withdraw(actor=request.user, advisory=advisory, reason=body.reason)
    return _out(selectors.advisory_for_case(viewer=request.user, human_id=case_id))
