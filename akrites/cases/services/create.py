"""Creating cases and allocating their human ids (``AKR-YYYY-NNNNN``)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from akrites.access.policy import require
from akrites.audit.services import actor_fields, audit_append
from akrites.cases.models import Case, CaseCounter, Status, TimelineEntry, Visibility
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput
from akrites.projects.models import Package, Project


def format_case_id(year: int, number: int) -> str:
    return f"AKR-{year}-{number:05d}"


def allocate_case_numbers(year: int, count: int) -> list[int]:
    """Hand out ``count`` consecutive numbers for ``year`` (see ``allocate_case_number``)."""
    if not connection.in_atomic_block:
        raise RuntimeError("allocate_case_numbers needs the caller's transaction")
    if count <= 0:
        return []
    CaseCounter.objects.bulk_create([CaseCounter(year=year, last=0)], ignore_conflicts=True)
    CaseCounter.objects.filter(year=year).update(last=F("last") + count)
    last = int(CaseCounter.objects.values_list("last", flat=True).get(year=year))
    return list(range(last - count + 1, last + 1))


def allocate_case_number(year: int) -> int:
    """Hand out the next number for ``year``, without races, inside the caller's transaction.

    The counter row is created if missing (ignoring a concurrent creator), then incremented
    with a single UPDATE, which takes the row lock on PostgreSQL and the database write lock
    on SQLite; the number read back is ours until the transaction ends.
    """
    return allocate_case_numbers(year, 1)[0]


@transaction.atomic
def case_create(
    *, actor: Any, project: Project, title: str, package: Package | None = None, summary: str = ""
) -> Case:
    """Open a case in triage. Guarantees a unique human id; records timeline and audit."""
    require(actor, "case.create")
    return case_open(actor=actor, project=project, title=title, package=package, summary=summary)


def case_open(
    *, actor: Any, project: Project, title: str, package: Package | None, summary: str
) -> Case:
    """Create the case rows; the caller has checked permission and holds a transaction.

    Intake calls this for a report that opens a new case (its permission is report.submit).
    """
    title = title.strip()
    if not title:
        raise InvalidInput("title", "required")
    if package is not None and package.project_id != project.pk:
        raise InvalidInput("package", "the package belongs to another project")
    at = now()
    number = allocate_case_number(at.year)
    human_id = format_case_id(at.year, number)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                human_id=human_id,
                year=at.year,
                number=number,
                title=title,
                summary=summary,
                project=project,
                package=package,
                status=Status.TRIAGE,
                status_changed_at=at,
            )
    except IntegrityError:
        raise Conflict("this case id is already taken") from None
    TimelineEntry.objects.create(
        case=case,
        at=at,
        actor=_user_or_none(actor),
        actor_label=_label(actor),
        kind="created",
        new_status=Status.TRIAGE,
        visibility=Visibility.PARTICIPANTS,
    )
    audit_append(
        actor=actor,
        action="case.create",
        object_type="case",
        object_id=human_id,
        data={"project": project.slug},
    )
    return case


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _label(actor: Any) -> str:
    return actor_fields(actor)[1]
