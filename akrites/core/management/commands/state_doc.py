"""Write (or --check) the document generated from one transition table (core.statemachine)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.core.statemachine import Machine, machines


def all_machines() -> dict[str, Machine]:
    names = [c.name for c in apps.get_app_configs() if c.name.startswith("akrites.")]
    return {m.name: m for m in machines(names)}


class Command(BaseCommand):
    help = "Generate docs/<file> from a transition table (akrites docs NAME [--check])."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="the table's name; none: every table")
        parser.add_argument("--check", action="store_true", help="fail if a file differs")

    def handle(self, *args: Any, **options: Any) -> None:
        found = all_machines()
        name = options["name"]
        if name is not None and name not in found:
            raise CommandError(f"no transition table {name!r}; known: {', '.join(sorted(found))}")
        for machine in [found[name]] if name else found.values():
            self._write(machine, check=options["check"])

    def _write(self, machine: Machine, *, check: bool) -> None:
        path = Path(settings.BASE_DIR) / "docs" / machine.doc
        text = machine.markdown()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(
                    f"docs/{machine.doc} is out of date: run akrites docs {machine.name}"
                )
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
