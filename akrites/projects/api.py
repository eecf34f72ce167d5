"""Registry endpoints (/api/v1/projects): list, detail, security files, row upserts.

SIRT only; everyone else gets 404 (see docs/triage.md, "What is public").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Body, Router, Schema

from akrites.projects import registry, selectors

router = Router(tags=["projects"])


class ProjectOut(Schema):
    slug: str
    name: str
    repository_url: str
    security_policy_url: str
    criticality_score: float | None
    last_commit_at: datetime | None
    last_release_at: datetime | None
    maintainer_response_days: float | None


class ContactOut(Schema):
    role: str
    source: str
    address: str
    user: str | None
    status: str
    problem: str


class FileOut(Schema):
    kind: str
    status: str
    problems: list[dict[str, str]]
    expires_at: datetime | None
    checked_at: datetime


class ProjectDetailOut(ProjectOut):
    team: str | None
    packages: list[str]
    contacts: list[ContactOut]
    security_files: list[FileOut]
    criticality_inputs: dict[str, float]
    signals_source: str


def _out(p: Any) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "name": p.name,
        "repository_url": p.repository_url,
        "security_policy_url": p.security_policy_url,
        "criticality_score": p.criticality_score,
        "last_commit_at": p.last_commit_at,
        "last_release_at": p.last_release_at,
        "maintainer_response_days": p.maintainer_response_days,
    }


@router.get("", response=list[ProjectOut])
def list_projects(request: HttpRequest, q: str = "", limit: int = 200) -> list[ProjectOut]:
    return [
        ProjectOut(**_out(p))
        for p in selectors.project_list(viewer=request.user, query=q, limit=limit)
    ]


def _detail(request: HttpRequest, project_slug: str) -> ProjectDetailOut:
    d = selectors.project_detail(viewer=request.user, slug=project_slug)
    p = d.project
    return ProjectDetailOut(
        **_out(p),
        team=p.team.slug if p.team else None,
        packages=[pkg.purl for pkg in d.packages],
        contacts=[
            ContactOut(
                role=c.role,
                source=c.source,
                address=c.address,
                user=c.user.get_username() if c.user else None,
                status=c.status,
                problem=c.problem,
            )
            for c in d.contacts
        ],
        security_files=[
            FileOut(
                kind=f.kind,
                status=f.status,
                problems=f.problems,
                expires_at=f.expires_at,
                checked_at=f.checked_at,
            )
            for f in d.files
        ],
        criticality_inputs=p.criticality_inputs or {},
        signals_source=p.signals_source,
    )


@router.get("/{project_slug}", response=ProjectDetailOut)
def get_project(request: HttpRequest, project_slug: str) -> ProjectDetailOut:
    return _detail(request, project_slug)


class SecurityFileIn(Schema):
    kind: str = ""
    content: str = ""


@router.post("/{project_slug}/security-files", response=ProjectDetailOut)
def security_file(
    request: HttpRequest, project_slug: str, payload: SecurityFileIn
) -> ProjectDetailOut:
    project = selectors.project_detail(viewer=request.user, slug=project_slug).project
    registry.project_security_file_set(
        actor=request.user, project=project, kind=payload.kind, content=payload.content.encode()
    )
    return _detail(request, project_slug)


@router.put("/{project_slug}", response=ProjectDetailOut)
def register(
    request: HttpRequest, project_slug: str, payload: Body[dict[str, Any]]
) -> ProjectDetailOut:
    """Create or update one project from a registry row (the import format, as JSON)."""
    selectors.project_list(viewer=request.user, limit=1)  # 404 before parsing for outsiders
    row = registry.registry_row_parse({**payload, "slug": project_slug})
    registry.project_register(actor=request.user, row=row)
    return _detail(request, project_slug)
