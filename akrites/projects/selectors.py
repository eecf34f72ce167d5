"""Reads for the project registry. SIRT only (``registry.view``); anyone else gets the same
NotFound as for a project that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from akrites.access.policy import allowed
from akrites.core.actors import Actor
from akrites.core.errors import NotFound
from akrites.projects import criticality
from akrites.projects.models import Package, Project, ProjectContact, SecurityFile


def project_list(*, viewer: Actor, query: str = "", limit: int = 200) -> list[Project]:
    if not allowed(viewer, "registry.view"):
        raise NotFound()
    qs = Project.objects.select_related("team").order_by("slug")
    if query.strip():
        qs = qs.filter(slug__icontains=query.strip())
    return list(qs[: max(1, min(limit, 1000))])


@dataclass(frozen=True)
class ProjectDetail:
    project: Project
    packages: list[Package]
    contacts: list[ProjectContact]
    files: list[SecurityFile]
    criticality: list[tuple[criticality.Input, float | None, float | None]]


def project_detail(*, viewer: Actor, slug: str) -> ProjectDetail:
    if not allowed(viewer, "registry.view"):
        raise NotFound()
    try:
        project = Project.objects.select_related("team").get(slug=slug)
    except Project.DoesNotExist:
        raise NotFound() from None
    return ProjectDetail(
        project=project,
        packages=list(project.packages.order_by("purl")),
        contacts=list(project.contacts.select_related("user").order_by("role", "source", "id")),
        files=list(project.security_files.order_by("kind")),
        criticality=criticality.breakdown(
            {k: float(v) for k, v in (project.criticality_inputs or {}).items()}
        ),
    )
