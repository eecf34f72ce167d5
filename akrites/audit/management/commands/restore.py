"""``akrites restore FILE``: restore a backup over the configured database and verify it.

Lives in ``audit`` (not ``core``, where the backup format is) because it verifies the audit
chain of what it restored; core imports no other app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.audit.services import audit_verify
from akrites.core.backup import BackupError, backup_restore, checksums_now


class Command(BaseCommand):
    help = "Restore a backup (stop the server first), then verify checksums and the audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            answer = input("This replaces the whole database. Type 'restore' to go on: ")
            if answer.strip() != "restore":
                raise CommandError("not restored")
        try:
            manifest = backup_restore(path=Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        restored = checksums_now()
        bad = [t for t, v in manifest["tables"].items() if restored.get(t) != v]
        if bad:
            raise CommandError(f"restored tables differ from the manifest: {', '.join(bad)}")
        chain = audit_verify()
        if not chain.ok:
            raise CommandError(f"audit chain broken at seq {chain.broken_at}: {chain.reason}")
        self.stdout.write(
            f"restored {len(restored)} tables; checksums match; audit chain OK "
            f"({chain.checked} entries)\n"
            "The signed audit checkpoints are newer than this backup: once you have checked "
            "the restore was yours, record it with `akrites audit checkpoint --after-restore`."
        )
