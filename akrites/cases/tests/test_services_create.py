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
