"""``akrites backup [--dir DIR]``: an online backup with a manifest of table checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (online) with a manifest of per-table checksums."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(Path(settings.VAR_DIR) / "backups"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(directory=Path(options["dir"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"backup written: {result.path} ({result.tables} tables)")
        self.stdout.write(f"manifest: {result.manifest}")
        self.stdout.write("Encryption keys are not in the backup: keep var/keys.json safe too.")
