"""Remediation endpoints under /api/v1/cases/{case_id}/… and /api/v1/projects/{slug}/terms.

Every endpoint first resolves the case (or project) through a selector, so a viewer who may
not see it gets the same 404 as for one that does not exist — before its body is looked at.
Bodies have defaults for that reason; the services say what is missing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from akrites.cases.selectors import case_get
from akrites.remediation import selectors, services
from akrites.remediation.export import fix_export
from akrites.remediation.models import PatchProposal

router = Router(tags=["remediation"])


class ReasonIn(Schema):
    reason: str = ""


class DisputeIn(Schema):
    outcome: str = ""
    reason: str = ""


class DatesIn(Schema):
    target_fix_on: date | None = None
    disclosure_at: datetime | None = None
    approve_exception: bool = False
    reason: str = ""


class InviteIn(Schema):
    username: str = ""


class StatementIn(Schema):
    purl: str = ""
    version_range: str = ""
    status: str = ""
    justification: str = ""
    impact_statement: str = ""
    action_statement: str = ""


class PatchIn(Schema):
    title: str = ""
    diff: str = ""
    message: str = ""
    ai_generated: bool = False
    co_developers: str = ""


class ReviewIn(Schema):
    verdict: str = ""
    body: str = ""


class PlanIn(Schema):
    channel: str = ""
    version: str = ""
    handback: str = ""
    fork_name: str = ""
    notes: str = ""


class StatementOut(Schema):
    purl: str
    version_range: str
    status: str
    justification: str
    impact_statement: str
    action_statement: str


class ReviewOut(Schema):
    reviewer: str
    verdict: str
    body: str
    at: datetime


class PatchOut(Schema):
    id: str
    title: str
    author: str
    author_role: str
    ai_generated: bool
    files_changed: int
    lines_added: int
    lines_removed: int
    apply_check: str
    canonical: bool
    created_at: datetime


class PatchDetailOut(PatchOut):
    message: str
    diff: str
    apply_output: str
    reviews: list[ReviewOut]


class RemediationOut(Schema):
    case: str
    status: str
    target_fix_on: date | None
    disclosure_at: datetime | None
    dispute_outcome: str
    statements: list[StatementOut]
    patches: list[PatchOut]
    contact_attempts: int
    stewardship: str | None
    release_plan: dict[str, str] | None


def _patch_out(p: PatchProposal) -> PatchOut:
    return PatchOut(
        id=p.public_id,
        title=p.title,
        author=p.author_label,
        author_role=p.author_role,
        ai_generated=p.ai_generated,
        files_changed=p.files_changed,
        lines_added=p.lines_added,
        lines_removed=p.lines_removed,
        apply_check=p.apply_check,
        canonical=p.canonical,
        created_at=p.created_at,
    )


def _room(request: HttpRequest, case_id: str) -> RemediationOut:
    room = selectors.remediation_room(viewer=request.user, human_id=case_id)
    record, plan = room.record, room.plan
    return RemediationOut(
        case=room.case.human_id,
        status=room.case.status,
        target_fix_on=record.target_fix_on if record else None,
        disclosure_at=room.disclosure_at,
        dispute_outcome=record.dispute_outcome if record else "",
        statements=[
            StatementOut(
                purl=s.package.purl,
                version_range=s.version_range,
                status=s.status,
                justification=s.justification,
                impact_statement=s.impact_statement,
                action_statement=s.action_statement,
            )
            for s in room.statements
        ],
        patches=[_patch_out(p) for p in room.patches],
        contact_attempts=len(room.attempts),
        stewardship=room.stewardship.trigger if room.stewardship else None,
        release_plan=(
            {"channel": plan.channel, "fork_name": plan.fork_name, "version": plan.version}
            if plan
            else None
        ),
    )


@router.get("/cases/{case_id}/remediation", response=RemediationOut)
def remediation(request: HttpRequest, case_id: str) -> RemediationOut:
    return _room(request, case_id)


@router.post("/cases/{case_id}/acknowledge", response=RemediationOut)
def acknowledge(request: HttpRequest, case_id: str, payload: ReasonIn) -> RemediationOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.remediation_acknowledge(actor=request.user, case=case, reason=payload.reason)
    return _room(request, case_id)


@router.post("/cases/{case_id}/dispute", response=RemediationOut)
def dispute(request: HttpRequest, case_id: str, payload: DisputeIn) -> RemediationOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.remediation_dispute(
        actor=request.user, case=case, outcome=payload.outcome, reason=payload.reason
    )
    return _room(request, case_id)


@router.put("/cases/{case_id}/dates", response=RemediationOut)
def dates(request: HttpRequest, case_id: str, payload: DatesIn) -> RemediationOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.remediation_set_dates(actor=request.user, case=case, **payload.dict())
    return _room(request, case_id)


@router.post("/cases/{case_id}/co-maintainers", response=RemediationOut)
def invite(request: HttpRequest, case_id: str, payload: InviteIn) -> RemediationOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.comaintainer_invite(actor=request.user, case=case, username=payload.username)
    return _room(request, case_id)


@router.post("/cases/{case_id}/statements", response=RemediationOut)
def statement(request: HttpRequest, case_id: str, payload: StatementIn) -> RemediationOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.statement_set(actor=request.user, case=case, **payload.dict())
    return _room(request, case_id)


@router.get("/cases/{case_id}/patches", response=list[PatchOut])
def patches(request: HttpRequest, case_id: str) -> list[PatchOut]:
    case = case_get(viewer=request.user, human_id=case_id)
    return [_patch_out(p) for p in selectors.patch_list(viewer=request.user, case=case)]


@router.post("/cases/{case_id}/patches", response={201: PatchOut})
def propose(request: HttpRequest, case_id: str, payload: PatchIn) -> Status[PatchOut]:
    case = case_get(viewer=request.user, human_id=case_id)
    patch = services.patch_propose(actor=request.user, case=case, **payload.dict())
    return Status(201, _patch_out(patch))


def _detail(request: HttpRequest, case_id: str, patch_id: str) -> PatchDetailOut:
    case = case_get(viewer=request.user, human_id=case_id)
    p = selectors.patch_get(viewer=request.user, case=case, public_id=patch_id)
    return PatchDetailOut(
        **_patch_out(p).dict(),
        message=p.message,
        diff=p.diff,
        apply_output=p.apply_output,
        reviews=[
            ReviewOut(reviewer=r.reviewer_label, verdict=r.verdict, body=r.body, at=r.created_at)
            for r in p.reviews.all()
        ],
    )


@router.get("/cases/{case_id}/patches/{patch_id}", response=PatchDetailOut)
def patch_detail(request: HttpRequest, case_id: str, patch_id: str) -> PatchDetailOut:
    return _detail(request, case_id, patch_id)


@router.post("/cases/{case_id}/patches/{patch_id}/reviews", response=PatchDetailOut)
def review(request: HttpRequest, case_id: str, patch_id: str, payload: ReviewIn) -> Any:
    case = case_get(viewer=request.user, human_id=case_id)
    services.patch_review(
        actor=request.user, case=case, patch_id=patch_id, verdict=payload.verdict, body=payload.body
    )
    return _detail(request, case_id, patch_id)


@router.post("/cases/{case_id}/patches/{patch_id}/choose", response=PatchDetailOut)
def choose(request: HttpRequest, case_id: str, patch_id: str, payload: ReasonIn) -> Any:
    case = case_get(viewer=request.user, human_id=case_id)
    services.patch_choose(actor=request.user, case=case, patch_id=patch_id, reason=payload.reason)
    return _detail(request, case_id, patch_id)


@router.post("/cases/{case_id}/fix-ready", response=RemediationOut)
def fix_ready(request: HttpRequest, case_id: str, payload: ReasonIn) -> RemediationOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.fix_mark_ready(actor=request.user, case=case, reason=payload.reason)
    return _room(request, case_id)


def _download(request: HttpRequest, case_id: str, kind: str) -> HttpResponse:
    case = case_get(viewer=request.user, human_id=case_id)
    export = fix_export(viewer=request.user, case=case)
    body, media = (
        (export.mbox, "application/mbox") if kind == "mbox" else (export.patch, "text/x-diff")
    )
    response = HttpResponse(body, content_type=f"{media}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.basename}.{kind}"'
    response["Cache-Control"] = "no-store"
    return response


@router.get("/cases/{case_id}/fix.mbox")
def fix_mbox(request: HttpRequest, case_id: str) -> HttpResponse:
    """The canonical fix as a ``git format-patch`` mailbox (apply with ``git am``)."""
    return _download(request, case_id, "mbox")


@router.get("/cases/{case_id}/fix.patch")
def fix_patch(request: HttpRequest, case_id: str) -> HttpResponse:
    """The canonical fix as a plain patch file (apply with ``git apply`` or ``patch -p1``)."""
    return _download(request, case_id, "patch")


@router.post("/cases/{case_id}/stewardship", response=RemediationOut)
def steward(request: HttpRequest, case_id: str, payload: ReasonIn) -> RemediationOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.stewardship_enter(actor=request.user, case=case, reason=payload.reason)
    return _room(request, case_id)


@router.put("/cases/{case_id}/release-plan", response=RemediationOut)
def release_plan(request: HttpRequest, case_id: str, payload: PlanIn) -> RemediationOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.release_plan_record(actor=request.user, case=case, **payload.dict())
    return _room(request, case_id)
