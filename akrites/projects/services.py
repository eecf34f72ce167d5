"""Writes for projects and packages."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from packageurl import PackageURL

from akrites.access.policy import require
from akrites.audit.services import audit_append
from akrites.core.actors import Actor
from akrites.core.errors import Conflict, InvalidInput
from akrites.orgs.models import Organisation, OrgKind
from akrites.projects.models import Package, Project


def normalise_purl(value: str, *, field: str = "purl") -> PackageURL:
    """Parse a purl and drop version, qualifiers and subpath (a package, not a release)."""
    try:
        purl = PackageURL.from_string(value.strip())
    except ValueError as exc:
        raise InvalidInput(field, f"not a valid package URL: {exc}") from None
    return PackageURL(type=purl.type, namespace=purl.namespace, name=purl.name)


@transaction.atomic
def project_create(
    *,
    actor: Actor,
    name: str,
    team: Organisation | None = None,
    slug: str = "",
    repository_url: str = "",
) -> Project:
    require(actor, "project.create")
    name = name.strip()
    if not name:
        raise InvalidInput("name", "required")
    if team is not None and team.kind != OrgKind.PROJECT_TEAM:
        raise InvalidInput("team", "the team must be a project-team organisation")
    slug = slug or slugify(name)
    if Project.objects.filter(slug=slug).exists():
        raise Conflict("a project with this slug exists")
    project = Project.objects.create(slug=slug, name=name, team=team, repository_url=repository_url)
    audit_append(
        actor=actor,
        action="project.create",
        object_type="project",
        object_id=project.slug,
        data={"team": team.slug if team else None},
    )
    return project


@transaction.atomic
def package_add(*, actor: Actor, project: Project, purl: str) -> Package:
    """Register a package (by purl) for a project. Raises InvalidInput / Conflict."""
    require(actor, "package.add")
    parsed = normalise_purl(purl)
    canonical = parsed.to_string()
    if Package.objects.filter(purl=canonical).exists():
        raise Conflict("this package is already registered")
    package = Package.objects.create(
        project=project,
        purl=canonical,
        type=parsed.type,
        namespace=parsed.namespace or "",
        name=parsed.name,
    )
    audit_append(
        actor=actor,
        action="package.add",
        object_type="package",
        object_id=canonical,
        data={"project": project.slug},
    )
    return package
