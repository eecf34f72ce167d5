"""Claims: one coordinator at a time, also under concurrency (SQLite and PostgreSQL)."""

import threading

import pytest
from django.db import connection

from akrites.cases.models import Case, TimelineEntry
from akrites.cases.services import case_transition
from akrites.cases.triage.services import case_claim, case_release
from akrites.core.errors import Conflict, NotFound, PermissionDenied


def test_claim_release_and_claim_again(case, coordinator, sirt):
    claimed = case_claim(actor=coordinator, case=case)
    assert claimed.claimed_by_id == coordinator.pk and claimed.responded_at is not None
    assert case_claim(actor=coordinator, case=case).claimed_by_id == coordinator.pk  # no-op
    with pytest.raises(Conflict):
        case_claim(actor=sirt, case=case)
    case_release(actor=coordinator, case=case)
    assert case_claim(actor=sirt, case=case).claimed_by_id == sirt.pk


def test_only_the_holder_or_a_lead_releases(case, coordinator, sirt, orgs, system):
    from akrites.orgs.services import membership_add
    from conftest import _user

    other = _user("coordinator2", is_staff=True)
    membership_add(actor=system, org=orgs["sirt"], user=other, role="sirt_coordinator")
    case_claim(actor=coordinator, case=case)
    with pytest.raises(PermissionDenied):
        case_release(actor=other, case=case)
    case_release(actor=sirt, case=case)  # the SIRT lead may
    assert Case.objects.get(pk=case.pk).claimed_by_id is None
    with pytest.raises(Conflict):
        case_release(actor=sirt, case=case)


def test_outsiders_and_maintainers_cannot_claim(case, outsider, maintainer):
    with pytest.raises(NotFound):
        case_claim(actor=outsider, case=case)
    with pytest.raises(NotFound):  # in triage the maintainers are no party yet
        case_claim(actor=maintainer, case=case)
    assert Case.objects.get(pk=case.pk).claimed_by_id is None


def test_notified_maintainers_see_the_case_but_cannot_claim(case, maintainer, system):
    for step in ("accept", "notify_maintainers"):
        case = case_transition(actor=system, case=case, name=step)
    with pytest.raises(PermissionDenied):
        case_claim(actor=maintainer, case=case)
    assert Case.objects.get(pk=case.pk).claimed_by_id is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_give_exactly_one_winner(case, orgs, system):
    from akrites.orgs.services import membership_add
    from conftest import _user

    people = []
    for n in range(6):
        user = _user(f"coord{n}", is_staff=True)
        membership_add(actor=system, org=orgs["sirt"], user=user, role="sirt_coordinator")
        people.append(user)
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def claim(user):
        try:
            barrier.wait()
            case_claim(actor=user, case=Case.objects.get(pk=case.pk))
            result = f"won:{user.pk}"
        except Conflict:
            result = "conflict"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=claim, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o.startswith("won:")]
    assert len(winners) == 1 and outcomes.count("conflict") == len(people) - 1
    holder = Case.objects.get(pk=case.pk).claimed_by_id
    assert winners == [f"won:{holder}"]
    assert TimelineEntry.objects.filter(case=case, kind="claimed").count() == 1
