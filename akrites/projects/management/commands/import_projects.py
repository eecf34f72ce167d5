"""``akrites import-projects FILE``: load registry rows from CSV or JSON (see docs/triage.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.core.actors import SystemActor
from akrites.core.errors import InvalidInput
from akrites.projects.importing import projects_import, read_rows

BAR = 30


class Command(BaseCommand):
    help = "Import projects, packages, contacts, maintenance signals and criticality inputs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv or .json file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            rows = read_rows(path)
        except InvalidInput as exc:
            raise CommandError(f"{path}: {exc.message}") from None
        show = not options["no_progress"] and rows
        result = projects_import(
            actor=SystemActor("import-projects"),
            rows=rows,
            progress=self._progress if show else None,
        )
        if show:
            sys.stderr.write("\n")
        for err in result.errors:
            label = f" ({err.slug})" if err.slug else ""
            self.stderr.write(f"row {err.row}{label}: {err.field}: {err.message}")
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.failed_rows} rows refused"
        )
        if result.errors:
            raise CommandError(f"{result.failed_rows} of {len(rows)} rows were not imported")

    def _progress(self, done: int, total: int) -> None:
        filled = BAR * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}")
        sys.stderr.flush()
