"""The delivery transition table (``notifications.lifecycle``): the doc is generated from it,
its actions are known, and ``delivery_transition`` — the one writer of ``Delivery.status`` —
refuses what it does not allow and lets one of two racing callers win."""

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Q

from akrites.access.policy import ACTIONS
from akrites.audit.models import AuditEntry
from akrites.core import clock
from akrites.core.errors import Conflict, NotFound
from akrites.notifications.lifecycle import (
    INITIAL,
    MACHINE,
    SENDING_LEASE,
    TRANSITIONS,
    WORKER,
    markdown_document,
)
from akrites.notifications.models import Channel, Delivery, DeliveryStatus
from akrites.notifications.services.subscriptions import delivery_retry
from akrites.notifications.services.transitions import delivery_claim, delivery_transition

pytestmark = pytest.mark.django_db


def _delivery(reporter, **fields):
    return Delivery.objects.create(
        channel=Channel.EMAIL, kind="case.accept", user=reporter, recipient_label="r", **fields
    )


def _path_to(state):
    """A shortest sequence of transition names from ``pending`` to ``state``."""
    frontier, seen = [(INITIAL, [])], {INITIAL}
    while frontier:
        current, path = frontier.pop(0)
        if current == state:
            return path
        for t in TRANSITIONS:
            if current in t.sources and t.target not in seen:
                seen.add(t.target)
                frontier.append((t.target, [*path, t.name]))
    raise AssertionError(f"{state} unreachable")


def _apply(name, delivery_id, current):
    if name == "claim":
        return delivery_claim(delivery_id=delivery_id, at=clock.now())
    return delivery_transition(name, delivery_id=delivery_id, current=current)


def _delivery_in(state, reporter):
    delivery = _delivery(reporter)
    current = INITIAL
    for name in _path_to(state):
        assert _apply(name, delivery.pk, current)
        current = MACHINE.get(name).target
    return Delivery.objects.get(pk=delivery.pk)


LEGAL = [(source, t.name) for t in TRANSITIONS for source in sorted(t.sources)]
ILLEGAL = [
    (state, t.name)
    for t in TRANSITIONS
    for state in DeliveryStatus.values
    if state not in t.sources
]


def test_the_delivery_lifecycle_doc_is_generated_from_the_table():
    path = Path(settings.BASE_DIR) / "docs" / "delivery-lifecycle.md"
    assert path.read_text(encoding="utf-8") == markdown_document(), (
        "docs/delivery-lifecycle.md is stale: run `akrites docs delivery`"
    )


def test_akrites_docs_delivery_checks_the_file():
    from akrites_cli.main import main

    assert main(["docs", "delivery", "--check"]) == 0


def test_every_transition_is_the_workers_or_guarded_by_a_policy_action():
    for t in TRANSITIONS:
        assert t.action == WORKER or t.action in ACTIONS, t.name
        assert {*t.sources, t.target} <= set(DeliveryStatus.values)
    assert WORKER not in ACTIONS  # no request can be allowed the worker's transitions
    assert MACHINE.get("retry").action == "notifications.deliveries"  # what delivery_retry asks


def test_every_state_is_reachable_and_delivered_is_final():
    for state in DeliveryStatus.values:
        _path_to(state)
    assert MACHINE.states == set(DeliveryStatus.values)
    assert not MACHINE.allowed_from(DeliveryStatus.DELIVERED)
    assert Delivery._meta.get_field("status").default == INITIAL == Delivery.STATE_INITIAL


@pytest.mark.parametrize(("source", "name"), LEGAL)
def test_every_legal_transition(source, name, reporter):
    delivery = _delivery_in(source, reporter)
    if (source, name) == (DeliveryStatus.SENDING, "claim"):
        clock.advance(SENDING_LEASE + timedelta(seconds=1))  # the holder died
    assert _apply(name, delivery.pk, source)
    assert Delivery.objects.get(pk=delivery.pk).status == MACHINE.get(name).target


@pytest.mark.parametrize(("state", "name"), ILLEGAL)
def test_a_transition_the_table_does_not_allow_changes_nothing(state, name, reporter):
    delivery = _delivery_in(state, reporter)
    clock.advance(SENDING_LEASE + timedelta(seconds=1))  # not even with an expired lease
    before = Delivery.objects.filter(pk=delivery.pk).values().get()
    with pytest.raises(Conflict, match=f"that is {state}"):
        delivery_transition(name, delivery_id=delivery.pk, current=state)
    # Without the caller's word for the state, the table's sources are the UPDATE's condition.
    if name == "claim":
        assert not delivery_claim(delivery_id=delivery.pk, at=clock.now())
    else:
        assert not delivery_transition(name, delivery_id=delivery.pk)
    assert Delivery.objects.filter(pk=delivery.pk).values().get() == before


def test_a_claim_while_the_lease_runs_changes_nothing(reporter):
    delivery = _delivery(reporter)
    assert delivery_claim(delivery_id=delivery.pk, at=clock.now())
    held = Delivery.objects.filter(pk=delivery.pk).values().get()
    clock.advance(SENDING_LEASE - timedelta(seconds=1))
    assert not delivery_claim(delivery_id=delivery.pk, at=clock.now())
    assert Delivery.objects.filter(pk=delivery.pk).values().get() == held
    assert (held["status"], held["attempts"]) == (DeliveryStatus.SENDING, 1)


def test_a_delivery_not_yet_due_is_not_claimed(reporter):
    delivery = _delivery(reporter, next_attempt_at=clock.now() + timedelta(minutes=1))
    assert not delivery_claim(delivery_id=delivery.pk, at=clock.now())
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.PENDING


def test_the_late_outcome_of_a_taken_over_attempt_changes_nothing(reporter):
    delivery = _delivery(reporter)
    assert delivery_claim(delivery_id=delivery.pk, at=clock.now())
    first = Delivery.objects.get(pk=delivery.pk)
    clock.advance(SENDING_LEASE + timedelta(seconds=1))
    assert delivery_claim(delivery_id=delivery.pk, at=clock.now())  # the takeover
    taken = Delivery.objects.filter(pk=delivery.pk).values().get()
    assert taken["attempts"] == 2
    for name in ("deliver", "back_off", "fail"):
        assert not delivery_transition(
            name,
            delivery_id=first.pk,
            current=first.status,
            when=Q(attempts=first.attempts),
            last_error="late",
        )
    assert Delivery.objects.filter(pk=delivery.pk).values().get() == taken


def test_the_status_cannot_be_smuggled_in_with_the_changes(reporter):
    delivery = _delivery_in(DeliveryStatus.SENDING, reporter)
    with pytest.raises(ValueError):
        delivery_transition(
            "back_off",
            delivery_id=delivery.pk,
            current=DeliveryStatus.SENDING,
            status=DeliveryStatus.DELIVERED,
        )
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENDING


def test_only_the_sirt_retries_and_only_a_failed_delivery(reporter, sirt, maintainer):
    failed = _delivery_in(DeliveryStatus.FAILED, reporter)
    pending = _delivery(reporter)
    for actor, delivery_id in ((maintainer, failed.pk), (sirt, pending.pk)):
        with pytest.raises(NotFound):
            delivery_retry(actor=actor, delivery_id=delivery_id)
    assert Delivery.objects.get(pk=failed.pk).status == DeliveryStatus.FAILED
    assert not AuditEntry.objects.filter(action="notifications.retry").exists()
    assert delivery_retry(actor=sirt, delivery_id=failed.pk).status == DeliveryStatus.PENDING
    assert AuditEntry.objects.filter(action="notifications.retry").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_give_exactly_one_attempt(reporter):
    delivery = _delivery(reporter)
    barrier = threading.Barrier(6)
    outcomes: list[bool] = []
    lock = threading.Lock()

    def claim():
        try:
            barrier.wait()
            won = delivery_claim(delivery_id=delivery.pk, at=clock.now())
        finally:
            connection.close()
        with lock:
            outcomes.append(won)

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False] * 5 + [True]
    row = Delivery.objects.get(pk=delivery.pk)
    assert (row.status, row.attempts) == (DeliveryStatus.SENDING, 1)


def test_a_status_written_behind_the_table_is_refused(reporter):
    """core.stateguard: only ``delivery_transition`` writes ``Delivery.status``, so the suite
    proves no service marks a delivery sent, failed or pending again behind the table."""
    from akrites.core.stateguard import StateWriteOutsideTable

    delivery = _delivery(reporter)
    delivery.status = DeliveryStatus.DELIVERED
    with pytest.raises(StateWriteOutsideTable):
        delivery.save()
    with pytest.raises(StateWriteOutsideTable):
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING)
    with pytest.raises(StateWriteOutsideTable):
        Delivery.objects.bulk_update([delivery], ["status"])
    with pytest.raises(StateWriteOutsideTable):
        _delivery(reporter, status=DeliveryStatus.FAILED)
    with pytest.raises(StateWriteOutsideTable):
        Delivery.objects.bulk_create(
            [Delivery(channel=Channel.EMAIL, kind="k", status=DeliveryStatus.DELIVERED)]
        )
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.PENDING
    assert Delivery.objects.count() == 1
    delivery.refresh_from_db()
    delivery.last_error = "timeout"  # other fields save as before
    delivery.save()
    Delivery.objects.filter(pk=delivery.pk).update(items=2)
