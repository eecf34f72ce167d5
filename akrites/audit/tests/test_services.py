import itertools
import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from akrites.audit.models import AuditEntry
from akrites.audit.services import AuditOutsideTransaction, audit_append, audit_verify
from akrites.audit.tests.attack import triggers_lifted
from akrites.core.actors import SystemActor

ACTOR = SystemActor("test")


def tamper():
    """Lift the append-only triggers, as an attacker with database access could."""
    return triggers_lifted()


def _append(n):
    for i in range(n):
        with transaction.atomic():
            audit_append(actor=ACTOR, action="test.event", object_type="thing", object_id=str(i))


def test_append_outside_transaction_is_refused(db):
    # pytest-django wraps the test in a transaction; leave it to see autocommit behaviour.
    with pytest.raises(AuditOutsideTransaction):
        connection.in_atomic_block = False
        try:
            audit_append(actor=ACTOR, action="x", object_type="t", object_id="1")
        finally:
            connection.in_atomic_block = True
    assert not AuditEntry.objects.filter(action="x").exists()


def test_chain_links_and_verifies(db):
    _append(5)
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    result = audit_verify()
    assert result.ok and result.checked == 5


def test_update_is_refused_by_the_database(db):
    _append(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(action="edited")


def test_verify_detects_an_edited_entry(db):
    _append(4)
    with tamper():
        AuditEntry.objects.filter(seq=3).update(action="innocent")
    result = audit_verify()
    assert (result.ok, result.broken_at, result.reason) == (False, 3, "entry content changed")


def test_verify_detects_a_deleted_entry(db):
    _append(4)
    with tamper():
        AuditEntry.objects.filter(seq=2).delete()
    result = audit_verify()
    assert (result.ok, result.broken_at) == (False, 3)


def test_verify_detects_an_inserted_entry(db):
    _append(3)
    last = AuditEntry.objects.get(seq=3)
    with tamper():
        # Shift the tail to make room, then insert a forged entry with a plausible link.
        AuditEntry.objects.filter(seq=3).update(seq=4)
        AuditEntry.objects.create(
            seq=3,
            at=last.at,
            actor_label="forger",
            action="forged",
            object_type="t",
            object_id="9",
            data={},
            prev_hash=AuditEntry.objects.get(seq=2).hash,
            hash="f" * 64,
        )
    result = audit_verify()
    assert not result.ok
    assert result.broken_at == 3


def test_verify_detects_reordered_entries(db):
    _append(4)
    with tamper():
        AuditEntry.objects.filter(seq=2).update(seq=-2)
        AuditEntry.objects.filter(seq=3).update(seq=2)
        AuditEntry.objects.filter(seq=-2).update(seq=3)
    result = audit_verify()
    assert (result.ok, result.broken_at) == (False, 2)


def test_empty_chain_verifies(db):
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain():
    errors = []

    def worker():
        try:
            _append(15)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEntry.objects.count() == 60
    assert audit_verify().ok


def test_delete_is_refused_by_the_database(db):
    _append(3)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=3).delete()
    assert AuditEntry.objects.count() == 3
