"""The audit table's append-only triggers (migrations 0002 and 0003), and the one sanctioned
way around them: emptying the whole database with ``flush``.

``flush`` is what pytest-django's transactional tests run after each test (SQLite empties
tables with DELETE, PostgreSQL with TRUNCATE, both refused by the triggers) and what an
operator runs to wipe a database. The application itself never flushes at run time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TABLE = "audit_auditentry"


@contextmanager
def triggers_lifted_for_flush(connection: Any) -> Iterator[None]:
    """Lift every trigger on the audit table for the body, inside the caller's transaction.

    Must run inside ``atomic``: the triggers come back before the transaction commits, so
    no other connection ever sees the table unguarded (DDL is transactional on SQLite and
    PostgreSQL). If the body raises, the rollback restores them.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lift the audit triggers only inside a transaction")
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
    yield
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            for _, sql in saved:
                cur.execute(sql)
        else:
            cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
