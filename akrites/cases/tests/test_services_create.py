import threading

import pytest
from django.db import connections, transaction

from akrites.cases.models import Case, CaseCounter
from akrites.cases.services import allocate_case_number, case_create
from akrites.cases.services.create import format_case_id
from akrites.core.errors import Conflict, InvalidInput


def test_case_ids_are_sequential_per_year(system, project):
    first = case_create(actor=system, project=project, title="a")
    second = case_create(actor=system, project=project, title="b")
    assert first.human_id == format_case_id(first.year, 1)
    assert second.human_id == format_case_id(first.year, 2)
    assert first.human_id.startswith(f"AKR-{first.year}-0000")


def test_a_second_case_with_the_same_number_is_a_conflict(system, project):
    first = case_create(actor=system, project=project, title="a")
    # Rewind the counter as a bug or a bad restore might: the number is then taken.
    CaseCounter.objects.filter(year=first.year).update(last=0)
    with pytest.raises(Conflict, match="already taken"):
        case_create(actor=system, project=project, title="b")
    assert Case.objects.count() == 1


def test_case_needs_a_title_and_a_package_of_its_project(system, project, other_project):
    with pytest.raises(InvalidInput) as exc:
        case_create(actor=system, project=project, title=" ")
    assert exc.value.field == "title"
    with pytest.raises(InvalidInput) as exc:
        case_create(actor=system, project=project, title="t", package=other_project.packages.get())
    assert exc.value.field == "package"
    assert Case.objects.count() == 0


def test_allocation_needs_a_transaction(db):
    with transaction.atomic():
        assert allocate_case_number(2031) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocation_never_duplicates(system, project):
    numbers, errors = [], []
    lock = threading.Lock()

    def worker():
        try:
            for _ in range(25):
                case = case_create(actor=system, project=project, title="race")
                with lock:
                    numbers.append(case.number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 151))
    assert Case.objects.values("human_id").distinct().count() == 150


def _openings(project, n, **extra):
    from akrites.cases.services import CaseOpening

    package = project.packages.get()
    return [
        CaseOpening(project=project, package=package, title=f"bug {i}", **extra) for i in range(n)
    ]


def test_cases_open_many_opens_each_in_triage_with_its_timeline(system, project):
    from akrites.cases.services import cases_open_many

    with transaction.atomic():
        cases = cases_open_many(actor=system, items=_openings(project, 3))
    assert [c.human_id for c in cases] == [format_case_id(cases[0].year, n) for n in (1, 2, 3)]
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]):
        assert case.status == "triage" and case.project == project
        entry = case.timeline.get()
        assert (entry.kind, entry.new_status, entry.actor_label) == (
            "created",
            "triage",
            "system:test",
        )


def test_cases_open_many_costs_the_same_for_few_and_many(system, project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from akrites.cases.services import cases_open_many

    counts = []
    for n in (2, 40):
        items = _openings(project, n)
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            cases_open_many(actor=system, items=items)
        counts.append(len(ctx.captured_queries))
    # One id allocation (3), one insert of cases, one of timeline rows; a larger batch is
    # chunked by the database's parameter limit (SQLite: a second insert of cases), never
    # one query per case.
    assert counts[0] <= 5 and counts[1] - counts[0] <= 2, counts


def test_cases_open_many_seeds_the_reporters_proposed_severity(system, project):
    from akrites.cases.services import cases_open_many

    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    good = _openings(project, 1, proposed_cvss=vector, proposed_cwe="CWE-79")
    bad = _openings(project, 1, proposed_cvss="CVSS:3.1/AV:Q", proposed_cwe="CWE-400")
    with transaction.atomic():
        first, second = cases_open_many(actor=system, items=good + bad)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.proposed_cvss, str(first.proposed_cvss_score), first.proposed_cwe) == (
        vector,
        "9.8",
        "CWE-79",
    )
    # An unreadable vector is not the reporter's proposal; the CWE still is.
    assert (second.proposed_cvss, second.proposed_cvss_score, second.proposed_cwe) == (
        "",
        None,
        "CWE-400",
    )


@pytest.mark.django_db(transaction=True)
def test_cases_open_many_needs_the_callers_transaction(system, project):
    from akrites.cases.services import cases_open_many

    with pytest.raises(RuntimeError):
        cases_open_many(actor=system, items=_openings(project, 1))
    assert Case.objects.count() == 0
