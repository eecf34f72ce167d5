"""``akrites import-osv PATH``: index published OSV advisories so known bugs are spotted.

PATH is an OSV JSON file, a directory (searched recursively) or the zip of OSV's bulk export
(``all.zip``: one JSON file per advisory). Bad files are reported by name and counted; the
good ones are still imported. Re-importing is idempotent (same OSV id, same entries).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.core.actors import SystemActor
from akrites.dedup import osv_files
from akrites.dedup.services import ImportCounts, advisories_import
from akrites.dedup.services.advisories import osv_id_of

CHUNK = 500  # advisories per transaction


class Command(BaseCommand):
    help = "Import published OSV advisories (file, directory or all.zip) into the dedup index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} not found")
        actor = SystemActor("import-osv")
        total = osv_files.count(path)
        bar = _Bar(total, enabled=not options["no_progress"])
        totals, errors, chunk = ImportCounts(), 0, []
        for done, (name, parsed) in enumerate(osv_files.read(path), start=1):
            if isinstance(parsed, str):
                errors += 1
                self.stderr.write(f"\r{name}: {parsed}")
            else:
                for advisory in parsed:
                    if osv_id_of(advisory) is None:
                        errors += 1
                        self.stderr.write(f"\r{name}: no usable id")
                    else:
                        chunk.append(advisory)
            if len(chunk) >= CHUNK:
                _add(totals, advisories_import(actor=actor, advisories=chunk))
                chunk = []
            bar.show(done, errors)
        if chunk:
            _add(totals, advisories_import(actor=actor, advisories=chunk))
        bar.close()
        self.stdout.write(
            f"advisories: {totals.added} added, {totals.updated} updated, "
            f"{totals.unchanged} unchanged, {totals.withdrawn} withdrawn; {errors} bad files"
        )
        if errors and not (totals.added or totals.updated or totals.unchanged):
            raise CommandError("no advisory could be imported")


def _add(totals: ImportCounts, counts: ImportCounts) -> None:
    totals.added += counts.added
    totals.updated += counts.updated
    totals.unchanged += counts.unchanged
    totals.withdrawn += counts.withdrawn


class _Bar:
    """A one-line ``\\r`` progress bar on stderr (no dependency), at most ~100 redraws."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total, self.enabled = max(total, 1), enabled and sys.stderr.isatty()
        self.step = max(1, self.total // 100)

    def show(self, done: int, errors: int) -> None:
        if not self.enabled or (done % self.step and done != self.total):
            return
        filled = 30 * done // self.total
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total} files, {errors} errors"
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
