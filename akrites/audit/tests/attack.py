"""What an attacker holding the database (a copy of the file, or the application's SQL role)
can do to the audit table: lift the append-only triggers and rewrite rows at will."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from akrites.audit.models import AuditEntry
from akrites.audit.services import GENESIS, _entry_hash

TABLE = "audit_auditentry"


@contextmanager
def triggers_lifted() -> Iterator[None]:
    """Drop (SQLite) or disable (PostgreSQL) every trigger on the audit table, then put them
    back as they were."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            saved = cur.fetchall()
            for name, _ in saved:
                cur.execute(f'DROP TRIGGER "{name}"')
        else:
            cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            if connection.vendor == "sqlite":
                for _, sql in saved:
                    cur.execute(sql)
            else:
                cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


def rechain(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Number ``entries`` 1..n and recompute every link and hash: a valid chain."""
    prev = GENESIS
    for seq, entry in enumerate(entries, start=1):
        entry.pk = None
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = _entry_hash(entry)
    return entries


def replace_table(entries: list[AuditEntry]) -> None:
    """Replace the whole table with ``entries``, rechained so that they verify on their own."""
    rows = rechain(entries)
    with triggers_lifted():
        AuditEntry.objects.all().delete()
        AuditEntry.objects.bulk_create(rows)
