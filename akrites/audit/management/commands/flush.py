"""Django's ``flush``, able to empty the append-only audit table.

The audit table's triggers refuse DELETE and TRUNCATE; flushing the whole database is the
one sanctioned exception (test teardown, wiping a database). The triggers are lifted inside
the flush's own transaction and are back before it commits.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections, transaction

from akrites.audit.append_only import triggers_lifted_for_flush


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        connection = connections[database]
        if options["interactive"]:
            # Ask before the transaction: it holds the write lock.
            answer = input(
                f"This IRREVERSIBLY DESTROYS all data in {connection.settings_dict['NAME']!s},"
                " the audit log included. Type 'yes' to continue: "
            )
            if answer.strip() != "yes":
                raise CommandError("Flush cancelled.")
        with transaction.atomic(using=database), triggers_lifted_for_flush(connection):
            super().handle(**{**options, "interactive": False})
