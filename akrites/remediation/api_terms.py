"""Maintainer-terms endpoints: /api/v1/projects/{project_slug}/terms and …/status."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from akrites.remediation import selectors, services

router = Router(tags=["remediation"])


class ChannelIO(Schema):
    kind: str = ""
    address: str = ""


class RuleIO(Schema):
    kind: str = ""
    pattern: str = ""
    reason: str = ""


class TermsIn(Schema):
    contact_channels: list[ChannelIO] = []
    embargo_max_days: int | None = None
    accepts_patches: bool = True
    accepts_ai_patches: bool = False
    supported_versions: str = ""
    repository: str = ""
    last_release_on: date | None = None
    rules: list[RuleIO] | None = None


class TermsOut(Schema):
    project: str
    status: str
    contact_channels: list[ChannelIO]
    embargo_max_days: int | None
    accepts_patches: bool
    accepts_ai_patches: bool
    supported_versions: str
    repository: str
    last_release_on: date | None
    rules: list[RuleIO]


class StatusIn(Schema):
    status: str = ""
    reason: str = ""


def _out(request: HttpRequest, project_slug: str) -> TermsOut:
    view = selectors.terms_view(viewer=request.user, project_slug=project_slug)
    t = view.terms
    return TermsOut(
        project=view.project.slug,
        status=t.status,
        contact_channels=[ChannelIO(**c) for c in view.channels],
        embargo_max_days=t.embargo_max_days,
        accepts_patches=t.accepts_patches,
        accepts_ai_patches=t.accepts_ai_patches,
        supported_versions=t.supported_versions,
        repository=t.repository,
        last_release_on=t.last_release_on,
        rules=[RuleIO(kind=r.kind, pattern=r.pattern, reason=r.reason) for r in view.rules],
    )


@router.get("/projects/{project_slug}/terms", response=TermsOut)
def terms(request: HttpRequest, project_slug: str) -> TermsOut:
    return _out(request, project_slug)


@router.put("/projects/{project_slug}/terms", response=TermsOut)
def terms_put(request: HttpRequest, project_slug: str, payload: TermsIn) -> TermsOut:
    view = selectors.terms_view(viewer=request.user, project_slug=project_slug)
    services.terms_update(
        actor=request.user,
        project=view.project,
        contact_channels=[c.dict() for c in payload.contact_channels],
        embargo_max_days=payload.embargo_max_days,
        accepts_patches=payload.accepts_patches,
        accepts_ai_patches=payload.accepts_ai_patches,
        supported_versions=payload.supported_versions,
        repository=payload.repository,
        last_release_on=payload.last_release_on,
        rules=(
            None
            if payload.rules is None
            else [services.RuleIn(r.kind, r.pattern, r.reason) for r in payload.rules]
        ),
    )
    return _out(request, project_slug)


@router.post("/projects/{project_slug}/status", response=TermsOut)
def status(request: HttpRequest, project_slug: str, payload: StatusIn) -> TermsOut:
    view = selectors.terms_view(viewer=request.user, project_slug=project_slug)
    services.project_mark_status(
        actor=request.user, project=view.project, status=payload.status, reason=payload.reason
    )
    return _out(request, project_slug)
