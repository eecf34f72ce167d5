"""Refuse DELETE on SQLite too, and TRUNCATE on PostgreSQL (0002 refuses UPDATE on both and
DELETE on PostgreSQL).

Cutting the newest entries is what the hash chain alone cannot detect (checkpoints do, see
``audit.checkpoints``); these triggers make it fail loudly through the application's own
connection. The one way to empty the table is ``flush`` (pytest-django's transactional
tests, an operator wiping a database): ``audit``'s ``flush`` command lifts the triggers for
its own transaction only (``audit.append_only``). The application never flushes at run time.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_entry_no_delete;"

# Statement-level: TRUNCATE fires no row triggers. Reuses 0002's function, which raises.
PG_UP = """
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;"


def _run(sql_by_vendor):
    def apply(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        )
    ]
