"""Case endpoints: list, detail, timeline, transitions."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from akrites.cases import selectors, services
from akrites.cases.models import Case

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: str
    title: str
    status: str
    project: str
    package: str | None
    created_at: datetime
    disclosed_at: datetime | None


class TimelineOut(Schema):
    at: datetime
    actor: str
    kind: str
    old_status: str
    new_status: str
    reason: str


class CaseDetailOut(CaseOut):
    roles: list[str]
    allowed_transitions: list[str]
    timeline: list[TimelineOut]


class TransitionIn(Schema):
    name: str
    reason: str = ""
    duplicate_of: str | None = None


def _case_out(case: Case) -> CaseOut:
    return CaseOut(
        id=case.human_id,
        title=case.title,
        status=case.status,
        project=case.project.slug,
        package=case.package.purl if case.package else None,
        created_at=case.created_at,
        disclosed_at=case.disclosed_at,
    )


@router.get("", response=list[CaseOut])
def list_cases(
    request: HttpRequest,
    status: str | None = None,
    limit: int = 100,
    q: str | None = None,
    before: str | None = None,
) -> list[CaseOut]:
    """Cases you may see, newest first. ``q``: a case, report or CVE id, a package URL, or a
    project; ``before=<case id>`` pages to older cases (limit 1 to 500)."""
    cases = selectors.case_list(viewer=request.user, status=status, limit=limit, q=q, before=before)
    return [_case_out(c) for c in cases]


@router.get("/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: str) -> CaseDetailOut:
    view = selectors.case_room(viewer=request.user, human_id=case_id)
    timeline = [
        TimelineOut(
            at=e.at,
            actor=e.actor_label,
            kind=e.kind,
            old_status=e.old_status,
            new_status=e.new_status,
            reason=e.reason,
        )
        for e in view.timeline
    ]
    return CaseDetailOut(
        **_case_out(view.case).dict(),
        roles=sorted(view.roles),
        allowed_transitions=[t.name for t in view.actions],
        timeline=timeline,
    )


@router.post("/{case_id}/transitions", response=CaseOut)
def transition(request: HttpRequest, case_id: str, payload: TransitionIn) -> CaseOut:
    case = selectors.case_get(viewer=request.user, human_id=case_id)
    original = None
    if payload.duplicate_of:
        original = selectors.case_get(viewer=request.user, human_id=payload.duplicate_of)
    updated = services.case_transition(
        actor=request.user,
        case=case,
        name=payload.name,
        reason=payload.reason,
        duplicate_of=original,
    )
    return _case_out(updated)
