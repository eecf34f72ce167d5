"""Confidentiality endpoints: embargo, field-filtered content, pre-notification, SBOMs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from akrites.access.policy import require
from akrites.accounts.models import User
from akrites.cases.reads import read_log
from akrites.cases.selectors import case_get
from akrites.confidentiality import selectors, services
from akrites.confidentiality.downloads import attachment_response
from akrites.confidentiality.models import ChangeKind, EmbargoChange
from akrites.core.errors import InvalidInput, NotFound
from akrites.orgs.models import Organisation

router = Router(tags=["confidentiality"])


class ChangeOut(Schema):
    id: int
    kind: str
    status: str
    until: datetime | None
    proposed_by: int | None


class EmbargoOut(Schema):
    case: str
    ends_at: datetime | None
    ends_at_local: str | None
    time_zone: str
    limit_at: datetime | None
    state: str
    exploited: bool
    pending: list[ChangeOut]


# Bodies are lenient on purpose: a missing field is refused (422) only after the case is
# found visible, so whatever an outsider sends, the answer is the same 404.
class DateIn(Schema):
    ends_at: datetime | None = None
    allow_weekend: bool = False


class ExtendIn(Schema):
    until: datetime | None = None
    reason: str = ""


class ReasonIn(Schema):
    reason: str = ""


class DecisionIn(Schema):
    approve: bool | None = None


def _needed(value: Any, field: str) -> Any:
    if value is None:
        raise InvalidInput(field, "required")
    return value


class ReportOut(Schema):
    id: str
    title: str
    body: str
    attachments: list[dict[str, Any]]


class ContentOut(Schema):
    reports: list[ReportOut] | None
    internal_notes: bool
    advisory_draft: bool
    patch: bool


class CandidateOut(Schema):
    organisation: str
    matches: list[list[str]]
    already_granted: bool


class GrantIn(Schema):
    organisation: str = ""
    notify_at: datetime | None = None
    include_report: bool = False


class TermsOut(Schema):
    case: str
    ends_at: datetime
    text: str
    accepted_at: datetime | None


class ReadOut(Schema):
    at: datetime
    actor: str
    what: str
    ref: str


def _change(c: EmbargoChange) -> ChangeOut:
    return ChangeOut(
        id=c.pk, kind=c.kind, status=c.status, until=c.until, proposed_by=c.proposed_by_id
    )


def _embargo(request: HttpRequest, case_id: str) -> EmbargoOut:
    case = case_get(viewer=request.user, human_id=case_id)
    view = selectors.embargo_view(viewer=request.user, case=case)
    e = view.embargo
    return EmbargoOut(
        case=case.human_id,
        ends_at=e.ends_at if e else None,
        ends_at_local=view.ends_at_local.isoformat() if view.ends_at_local else None,
        time_zone=view.zone,
        limit_at=e.limit_at if e else None,
        state=e.state if e else "not_started",
        exploited=bool(e and e.exploited),
        pending=[_change(c) for c in view.pending],
    )


@router.get("/cases/{case_id}/embargo", response=EmbargoOut)
def get_embargo(request: HttpRequest, case_id: str) -> EmbargoOut:
    return _embargo(request, case_id)


@router.put("/cases/{case_id}/embargo", response=EmbargoOut)
def set_embargo(request: HttpRequest, case_id: str, payload: DateIn) -> EmbargoOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.embargo_set_date(
        actor=request.user,
        case=case,
        ends_at=_needed(payload.ends_at, "ends_at"),
        allow_weekend=payload.allow_weekend,
    )
    return _embargo(request, case_id)


@router.post("/cases/{case_id}/embargo/extensions", response={201: ChangeOut})
def request_extension(request: HttpRequest, case_id: str, payload: ExtendIn) -> Status[ChangeOut]:
    case = case_get(viewer=request.user, human_id=case_id)
    change = services.embargo_request_extension(
        actor=request.user, case=case, until=_needed(payload.until, "until"), reason=payload.reason
    )
    return Status(201, _change(change))


@router.post("/cases/{case_id}/embargo/lift", response={201: ChangeOut})
def propose_lift(request: HttpRequest, case_id: str, payload: ReasonIn) -> Status[ChangeOut]:
    case = case_get(viewer=request.user, human_id=case_id)
    change = services.embargo_lift_propose(actor=request.user, case=case, reason=payload.reason)
    return Status(201, _change(change))


@router.post("/cases/{case_id}/embargo/changes/{change_id}/decision", response=EmbargoOut)
def decide(request: HttpRequest, case_id: str, change_id: int, payload: DecisionIn) -> EmbargoOut:
    change = selectors.change_get(viewer=request.user, human_id=case_id, change_id=change_id)
    approve = bool(_needed(payload.approve, "approve"))
    if change.kind == ChangeKind.LIFT:
        if approve:
            services.embargo_lift_approve(actor=request.user, change=change)
        else:
            services.embargo_decide_extension(actor=request.user, change=change, approve=False)
    else:
        services.embargo_decide_extension(actor=request.user, change=change, approve=approve)
    return _embargo(request, case_id)


@router.post("/cases/{case_id}/embargo/break", response=EmbargoOut)
def break_embargo(request: HttpRequest, case_id: str, payload: ReasonIn) -> EmbargoOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.embargo_break(actor=request.user, case=case, reason=payload.reason)
    return _embargo(request, case_id)


@router.get("/cases/{case_id}/content", response=ContentOut)
def content(request: HttpRequest, case_id: str) -> ContentOut:
    case = case_get(viewer=request.user, human_id=case_id)
    found = selectors.case_content(viewer=request.user, case=case)
    reports = None
    if found.reports is not None:
        reports = [
            ReportOut(
                id=r.public_id,
                title=r.title,
                body=r.body,
                attachments=[{"id": i, "name": n, "size": s} for i, n, s in r.attachments],
            )
            for r in found.reports
        ]
    return ContentOut(
        reports=reports,
        internal_notes=found.internal_notes,
        advisory_draft=found.advisory_draft,
        patch=found.patch,
    )


@router.get("/cases/{case_id}/attachments/{attachment_id}")
def attachment(request: HttpRequest, case_id: str, attachment_id: int) -> HttpResponse:
    return attachment_response(viewer=request.user, human_id=case_id, attachment_id=attachment_id)


@router.get("/cases/{case_id}/prenotification/candidates", response=list[CandidateOut])
def candidates(request: HttpRequest, case_id: str) -> list[CandidateOut]:
    case = case_get(viewer=request.user, human_id=case_id)
    return [
        CandidateOut(
            organisation=c.organisation.slug,
            matches=[list(m) for m in c.matches],
            already_granted=c.already_granted,
        )
        for c in selectors.prenotify_candidates(viewer=request.user, case=case)
    ]


@router.post("/cases/{case_id}/prenotification", response={201: list[int]})
def grant(request: HttpRequest, case_id: str, payload: GrantIn) -> Status[list[int]]:
    case = case_get(viewer=request.user, human_id=case_id)
    org = Organisation.objects.filter(slug=payload.organisation).first()
    if org is None:
        raise NotFound()
    grants = services.prenotify_grant(
        actor=request.user,
        case=case,
        organisation=org,
        notify_at=payload.notify_at,
        include_report=payload.include_report,
    )
    return Status(201, [g.user_id for g in grants])


@router.delete("/cases/{case_id}/prenotification/{user_id}", response={204: None})
def revoke(request: HttpRequest, case_id: str, user_id: int) -> Status[None]:
    case = case_get(viewer=request.user, human_id=case_id)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    services.prenotify_revoke(actor=request.user, case=case, user=user)
    return Status(204, None)


@router.get("/cases/{case_id}/terms", response=TermsOut)
def terms(request: HttpRequest, case_id: str) -> TermsOut:
    view = selectors.terms_view(viewer=request.user, human_id=case_id)
    return TermsOut(
        case=view.case.human_id,
        ends_at=view.embargo.ends_at,
        text=view.text,
        accepted_at=view.accepted_at,
    )


@router.post("/cases/{case_id}/terms/accept", response=TermsOut)
def accept_terms(request: HttpRequest, case_id: str) -> TermsOut:
    view = selectors.terms_view(viewer=request.user, human_id=case_id)
    services.terms_accept(actor=request.user, case=view.case)
    return terms(request, case_id)


@router.get("/cases/{case_id}/reads", response=list[ReadOut])
def reads(request: HttpRequest, case_id: str) -> list[ReadOut]:
    case = case_get(viewer=request.user, human_id=case_id)
    require(request.user, "case.read_audit", case)
    return [
        ReadOut(
            at=e.at,
            actor=e.actor_label,
            what=e.action.split(".", 1)[1],
            ref=str(e.data.get("ref", "")),
        )
        for e in read_log(human_id=case.human_id)
    ]


@router.post("/orgs/{org_slug}/sboms", response={201: dict[str, int]})
def upload_sbom(request: HttpRequest, org_slug: str, name: str = "sbom") -> Status[dict[str, int]]:
    """The request body is the CycloneDX JSON document itself."""
    org = Organisation.objects.filter(slug=org_slug).first()
    if org is None:
        raise NotFound()
    sbom = services.sbom_register(
        actor=request.user, organisation=org, name=name, document=request.body
    )
    return Status(201, {"id": sbom.pk, "components": sbom.component_count})
