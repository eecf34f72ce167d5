"""Advisory endpoints at ``/api/v1/advisories``: draft, edit, schedule, CVE id, publish;
and ``/api/v1/advisories/rejections`` to publish a rejected report.

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


class AdvisoryOut(Schema):
    case: str
    state: str
    cve_id: str
    disclose_at: datetime | None
    published_at: datetime | None
    public_id: str | None
    content: dict[str, Any]


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
    public = getattr(advisory, "public", None) if advisory.state == "published" else None
    return AdvisoryOut(
        case=advisory.case.human_id,
        state=advisory.state,
        cve_id=advisory.cve_id,
        disclose_at=advisory.disclose_at,
        published_at=advisory.published_at,
        public_id=public.public_id if public else None,
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


@router.post("/{case_id}/publish", response=AdvisoryOut)
def publish(request: HttpRequest, case_id: str) -> AdvisoryOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.advisory_publish(actor=request.user, case=case)
    return _out(selectors.advisory_for_case(viewer=request.user, human_id=case_id))
