"""The append-only triggers, and flush as the one sanctioned way to empty the audit table."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.commands import flush as django_flush
from django.db import DatabaseError, connection, transaction

from akrites.audit.append_only import triggers_lifted_for_flush
from akrites.audit.models import AuditEntry
from akrites.audit.services import audit_append
from akrites.core.actors import SystemActor


def _append(n):
    for i in range(n):
        with transaction.atomic():
            audit_append(actor=SystemActor("t"), action="t.e", object_type="t", object_id=str(i))


def _refuses_delete_and_update():
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.update(action="edited")
    return True


def test_delete_of_every_row_is_refused(db):
    _append(3)
    assert _refuses_delete_and_update()
    assert AuditEntry.objects.count() == 3


def test_truncate_is_refused_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (a DELETE without WHERE fires the DELETE trigger)")
    _append(2)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == 2


def test_lifting_the_triggers_needs_a_transaction(db):
    connection.in_atomic_block, was = False, connection.in_atomic_block
    try:
        with pytest.raises(RuntimeError), triggers_lifted_for_flush(connection):
            pass
    finally:
        connection.in_atomic_block = was


@pytest.mark.django_db(transaction=True)
def test_django_s_own_flush_is_refused_by_the_triggers():
    _append(2)
    with pytest.raises(CommandError, match="couldn't be flushed"):
        call_command(django_flush.Command(), interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_the_triggers_are_back():
    _append(3)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0
    _append(2)
    assert _refuses_delete_and_update()
