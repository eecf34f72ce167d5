"""Opening cases (one, or a batch for intake) and allocating their human ids (``AKR-YYYY-NNNNN``).

Case opening lives here only: ``case_create`` for the SIRT, ``case_open`` for a service that
has authorised its own write (a split), ``cases_open_many`` for intake's batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from akrites.access.policy import require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import actor_fields, audit_append
from akrites.cases.models import Case, CaseCounter, Status, TimelineEntry, Visibility
from akrites.cases.triage.severity import score_or_none
from akrites.core.actors import Actor
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


@dataclass(frozen=True)
class CaseOpening:
    """One case to open in triage. ``proposed_cvss`` / ``proposed_cwe`` are the reporter's
    proposal as received (an unreadable vector is dropped, never guessed at)."""

    project: Project
    title: str
    package: Package | None = None
    summary: str = ""
    proposed_cvss: str | None = None
    proposed_cwe: str = ""


def cases_open_many(
    *, actor: Actor, items: Sequence[CaseOpening], at: datetime | None = None
) -> list[Case]:
    """Open one case in triage per item, in order, with its ``created`` timeline row.

    Runs in the caller's transaction (``RuntimeError`` outside one) and costs the same few
    queries whatever the number of items: one id allocation, one insert of cases, one of
    timeline rows. The caller has authorised the write and audits it (intake: its
    ``report.submit`` check and its one ``report.create`` entry naming every case).
    Raises InvalidInput for an empty title or a package of another project.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("cases_open_many needs the caller's transaction")
    if not items:
        return []
    at = at or now()
    numbers = allocate_case_numbers(at.year, len(items))
    cases = [_case(item, at, number) for item, number in zip(items, numbers, strict=True)]
    Case.objects.bulk_create(cases)
    person, label = user_or_none(actor), _label(actor)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(case=case, at=at, actor=person, actor_label=label, kind="created",
                      new_status=Status.TRIAGE, visibility=Visibility.PARTICIPANTS)
        for case in cases
    )  # fmt: skip
    return cases


def _case(item: CaseOpening, at: datetime, number: int) -> Case:
    title = item.title.strip()
    if not title:
        raise InvalidInput("title", "required")
    if item.package is not None and item.package.project_id != item.project.pk:
        raise InvalidInput("package", "the package belongs to another project")
    severity = score_or_none(item.proposed_cvss) if item.proposed_cvss else None
    return Case(
        human_id=format_case_id(at.year, number),
        year=at.year,
        number=number,
        title=title,
        summary=item.summary,
        project=item.project,
        package=item.package,
        status=Status.TRIAGE,
        status_changed_at=at,
        proposed_cvss=severity.vector if severity else "",
        proposed_cvss_score=severity.score if severity else None,
        proposed_cwe=item.proposed_cwe,
        created_at=at,
        updated_at=at,
    )


@transaction.atomic
def case_create(
    *, actor: Actor, project: Project, title: str, package: Package | None = None, summary: str = ""
) -> Case:
    """Open a case in triage. Guarantees a unique human id; records timeline and audit."""
    require(actor, "case.create")
    return case_open(actor=actor, project=project, title=title, package=package, summary=summary)


def case_open(
    *, actor: Actor, project: Project, title: str, package: Package | None, summary: str
) -> Case:
    """Open one case and audit it; the caller has checked permission and holds a transaction.

    Raises InvalidInput (see ``cases_open_many``), Conflict if the id is already taken (a
    rewound counter: a bad restore).
    """
    item = CaseOpening(project=project, title=title, package=package, summary=summary)
    try:
        with transaction.atomic():
            (case,) = cases_open_many(actor=actor, items=[item])
    except IntegrityError:
        raise Conflict("this case id is already taken") from None
    audit_append(
        actor=actor,
        action="case.create",
        object_type="case",
        object_id=case.human_id,
        data={"project": project.slug},
    )
    return case


def _label(actor: Actor) -> str:
    return actor_fields(actor)[1]
