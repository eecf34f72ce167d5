"""Writes for the project registry: one row of registry data, and security files.

``registry_row_parse`` checks a row (from ``akrites import-projects`` or the API) and reports
*every* bad field at once; ``project_register`` then stores it in one transaction — a row is
stored whole or not at all. Absent or empty fields leave the stored value unchanged;
packages are only ever added (cases refer to them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.text import slugify

from akrites.access.policy import require
from akrites.audit.services import audit_append
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import InvalidInput
from akrites.orgs.models import Organisation, OrgKind
from akrites.projects.contacts import ParsedFile, parse_security_md, parse_security_txt
from akrites.projects.criticality import criticality_score, validate_inputs
from akrites.projects.models import (
    ContactRole,
    ContactSource,
    FileKind,
    FileStatus,
    Package,
    Project,
    ProjectContact,
    SecurityFile,
)
from akrites.projects.services import normalise_purl

_URL = URLValidator(schemes=["https", "http"])
_EMAIL = re.compile(r"^[\w.+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_SPLIT = re.compile(r"[\s;,]+")
MAX_PURLS = 200
MAX_MAINTAINERS = 50


class InvalidRow(InvalidInput):
    """Several fields of one row are invalid; ``problems`` lists (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems[0][0], "; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems

    def as_dict(self) -> dict[str, object]:
        return {
            **super().as_dict(),
            "problems": [{"field": f, "message": m} for f, m in self.problems],
        }


@dataclass(frozen=True)
class RegistryRow:
    slug: str
    name: str = ""
    team: str = ""
    repository_url: str = ""
    security_policy_url: str = ""
    purls: tuple[str, ...] = ()
    maintainers: tuple[str, ...] = ()
    # A security contact the SIRT entered (mailto: address or https URL), kept apart from
    # the contacts parsed from security files.
    security_contact: str = ""
    last_commit_at: datetime | None = None
    last_release_at: datetime | None = None
    maintainer_response_days: float | None = None
    signals_source: str = ""
    criticality: dict[str, float] = field(default_factory=dict)
    security_txt: bytes | None = None
    security_md: bytes | None = None


def _text(raw: Mapping[str, object], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _list(raw: Mapping[str, object], key: str) -> list[str]:
    value = raw.get(key)
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v for v in _SPLIT.split(_text(raw, key)) if v]


def registry_row_parse(raw: Mapping[str, object]) -> RegistryRow:
    """Validate one registry row. Raises ``InvalidRow`` listing every bad field."""
    problems: list[tuple[str, str]] = []

    def check(key: str, fn: Any) -> Any:
        try:
            return fn()
        except InvalidInput as exc:
            problems.append((exc.field or key, exc.message))
        except (ValueError, ValidationError):
            problems.append((key, _MESSAGES.get(key, "invalid value")))
        return None

    slug = _text(raw, "slug") or slugify(_text(raw, "name"))
    if not slug or slugify(slug) != slug or len(slug) > 100:
        problems.append(("slug", "required: lower-case letters, digits and hyphens"))
    name = _text(raw, "name")
    if len(name) > 200:
        problems.append(("name", "at most 200 characters"))
    urls = {}
    for key in ("repository_url", "security_policy_url"):
        value = _text(raw, key)
        if value:
            check(key, lambda v=value: _URL(v))
        urls[key] = value
    purls = _list(raw, "purls")
    if len(purls) > MAX_PURLS:
        problems.append(("purls", f"at most {MAX_PURLS}"))
    canonical = [
        check("purls", lambda p=p: normalise_purl(p, field="purls").to_string()) for p in purls
    ]
    maintainers = _list(raw, "maintainers")
    if len(maintainers) > MAX_MAINTAINERS:
        problems.append(("maintainers", f"at most {MAX_MAINTAINERS}"))
    contact = check("security_contact", lambda: _contact(_text(raw, "security_contact")))
    dates = {k: check(k, lambda k=k: _date(_text(raw, k))) for k in _DATES}
    response = _text(raw, "maintainer_response_days")
    days = check("maintainer_response_days", lambda: _days(response)) if response else None
    crit_raw = raw.get("criticality")
    if crit_raw is None:  # CSV: one column per input, ``criticality.<name>``
        crit_raw = {
            k.split(".", 1)[1]: v for k, v in raw.items() if str(k).startswith("criticality.")
        }
    crit = check("criticality", lambda: _criticality(crit_raw)) or {}
    files = {k: _file(raw, k) for k in ("security_txt", "security_md")}
    if problems:
        raise InvalidRow(problems)
    return RegistryRow(
        slug=slug,
        name=name,
        team=_text(raw, "team"),
        repository_url=urls["repository_url"],
        security_policy_url=urls["security_policy_url"],
        purls=tuple(dict.fromkeys(p for p in canonical if p)),
        maintainers=tuple(maintainers),
        security_contact=contact or "",
        last_commit_at=dates["last_commit_at"],
        last_release_at=dates["last_release_at"],
        maintainer_response_days=days,
        signals_source=_text(raw, "signals_source")[:200],
        criticality=crit,
        security_txt=files["security_txt"],
        security_md=files["security_md"],
    )


_DATES = ("last_commit_at", "last_release_at")
_MESSAGES = {
    "repository_url": "not an http(s) URL",
    "security_policy_url": "not an http(s) URL",
    "last_commit_at": "not an ISO 8601 date or date-time",
    "last_release_at": "not an ISO 8601 date or date-time",
    "maintainer_response_days": "must be a number of days ≥ 0",
}


def _contact(value: str) -> str:
    """A security contact as an address: ``mailto:`` + e-mail, or an https URL."""
    if not value:
        return ""
    address = value.removeprefix("mailto:")
    if _EMAIL.match(address) and len(address) <= 254:
        return "mailto:" + address
    if value.startswith("https://") and len(value) <= 500:
        _URL(value)
        return value
    raise InvalidInput("security_contact", "an e-mail address or an https URL")


def _date(value: str) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _days(value: str) -> float:
    days = float(value)
    if not 0 <= days < 10_000:
        raise ValueError(value)
    return days


def _criticality(raw: object) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise InvalidInput("criticality", "must be an object of named inputs")
    return validate_inputs(raw)


def _file(raw: Mapping[str, object], key: str) -> bytes | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


@transaction.atomic
def project_register(*, actor: Actor, row: RegistryRow) -> tuple[Project, bool]:
    """Create or update the project ``row.slug`` from a parsed row; (project, created).

    Raises InvalidInput (``team``, ``purls``, ``maintainers``) for references that do not
    resolve; the transaction then stores nothing of the row.
    """
    require(actor, "registry.edit")
    at = now()
    project = Project.objects.select_for_update().filter(slug=row.slug).first()
    created = project is None
    if project is None:
        if not row.name:
            raise InvalidInput("name", "required for a new project")
        project = Project(slug=row.slug, name=row.name, created_at=at)
    elif row.name:
        project.name = row.name
    if row.team:
        team = Organisation.objects.filter(slug=row.team, kind=OrgKind.PROJECT_TEAM).first()
        if team is None:
            raise InvalidInput("team", "no project-team organisation with this slug")
        project.team = team
    for key in ("repository_url", "security_policy_url", "signals_source"):
        if getattr(row, key):
            setattr(project, key, getattr(row, key))
    for key in ("last_commit_at", "last_release_at", "maintainer_response_days"):
        if getattr(row, key) is not None:
            setattr(project, key, getattr(row, key))
            project.signals_updated_at = at
    if row.criticality:
        project.criticality_inputs = row.criticality
        project.criticality_score = criticality_score(row.criticality)
    project.updated_at = at
    project.save()
    _add_packages(project, row.purls)
    if row.maintainers:
        _set_maintainers(project, row.maintainers)
    if row.security_contact:
        _set_security_contact(project, row.security_contact)
    for kind, content in (
        (FileKind.SECURITY_TXT, row.security_txt),
        (FileKind.SECURITY_MD, row.security_md),
    ):
        if content is not None:
            _store_file(project, _parse(kind, content))
    audit_append(
        actor=actor,
        action="project.register",
        object_type="project",
        object_id=project.slug,
        data={"created": created, "purls": list(row.purls)},
    )
    return project, created


def _add_packages(project: Project, purls: tuple[str, ...]) -> None:
    existing = dict(Package.objects.filter(purl__in=purls).values_list("purl", "project_id"))
    for purl in purls:
        owner = existing.get(purl)
        if owner is not None and owner != project.pk:
            raise InvalidInput("purls", f"{purl} is registered to another project")
    Package.objects.bulk_create(
        Package(
            project=project,
            purl=purl,
            type=(p := normalise_purl(purl)).type,
            namespace=p.namespace or "",
            name=p.name,
        )
        for purl in purls
        if purl not in existing
    )


def _set_maintainers(project: Project, maintainers: tuple[str, ...]) -> None:
    """Replace the imported maintainer contacts: platform usernames or e-mail addresses."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=maintainers)}
    contacts: list[ProjectContact] = []
    for entry in maintainers:
        user = users.get(entry)
        if user is None and not _EMAIL.match(entry.removeprefix("mailto:")):
            raise InvalidInput("maintainers", f"{entry!r} is neither a user nor an e-mail address")
        address = "" if user else "mailto:" + entry.removeprefix("mailto:")
        contacts.append(
            ProjectContact(
                project=project,
                role=ContactRole.MAINTAINER,
                source=ContactSource.IMPORT,
                address=address,
                user=user,
                status=FileStatus.VALID,
            )
        )
    ProjectContact.objects.filter(
        project=project, role=ContactRole.MAINTAINER, source=ContactSource.IMPORT
    ).delete()
    ProjectContact.objects.bulk_create(contacts)


def _set_security_contact(project: Project, address: str) -> None:
    """Replace the security contact the SIRT entered (security files keep theirs)."""
    ProjectContact.objects.filter(
        project=project, role=ContactRole.SECURITY, source=ContactSource.SIRT
    ).delete()
    ProjectContact.objects.create(
        project=project,
        role=ContactRole.SECURITY,
        source=ContactSource.SIRT,
        address=address,
        status=FileStatus.VALID,
    )


def _parse(kind: str, content: bytes) -> ParsedFile:
    if kind == FileKind.SECURITY_TXT:
        return parse_security_txt(content, at=now())
    return parse_security_md(content)


def _store_file(project: Project, parsed: ParsedFile) -> SecurityFile:
    """Replace the project's record of this file and the contacts it gave."""
    at = now()
    record, _ = SecurityFile.objects.update_or_create(
        project=project,
        kind=parsed.kind,
        defaults={
            "status": parsed.status,
            "problems": [p.as_dict() for p in parsed.problems],
            "expires_at": parsed.expires_at,
            "checked_at": at,
            "updated_at": at,
        },
    )
    ProjectContact.objects.filter(project=project, source=parsed.kind).delete()
    ProjectContact.objects.bulk_create(
        ProjectContact(
            project=project,
            role=ContactRole.SECURITY,
            source=parsed.kind,
            address=c.address,
            status=c.status,
            problem=c.problem,
        )
        for c in parsed.contacts
    )
    if parsed.policy_url and not project.security_policy_url:
        project.security_policy_url = parsed.policy_url
        project.save(update_fields=["security_policy_url"])
    return record


@transaction.atomic
def project_security_file_set(
    *, actor: Actor, project: Project, kind: str, content: bytes
) -> SecurityFile:
    """Parse and record a project's security.txt or SECURITY.md (given, never fetched).

    An invalid or expired file is recorded as such — with every problem — and its contacts
    are kept, flagged; it is not refused, since the flag is what the SIRT needs to see.
    Raises InvalidInput (``kind``) for an unknown kind.
    """
    require(actor, "registry.edit")
    if kind not in FileKind.values:
        raise InvalidInput("kind", f"one of {', '.join(FileKind.values)}")
    record = _store_file(project, _parse(kind, content))
    audit_append(
        actor=actor,
        action="project.security_file",
        object_type="project",
        object_id=project.slug,
        data={"kind": kind, "status": record.status},
    )
    return record
