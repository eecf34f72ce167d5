"""Write (or --check) the generated documents: each transition table's (core.statemachine)
and the layer diagram (``layers``, core.layering)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.core import layering
from akrites.core.statemachine import Machine, machines


def all_machines() -> dict[str, Machine]:
    names = [c.name for c in apps.get_app_configs() if c.name.startswith("akrites.")]
    return {m.name: m for m in machines(names)}


class Command(BaseCommand):
    help = "Generate docs/<file> (akrites docs [NAME] [--check]): transition tables, layers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="the table's name; none: every table")
        parser.add_argument("--check", action="store_true", help="fail if a file differs")

    def handle(self, *args: Any, **options: Any) -> None:
        found = {m.name: (m.doc, m.markdown) for m in all_machines().values()}
        found["layers"] = ("layers.md", layering.markdown)
        name = options["name"]
        if name is not None and name not in found:
            raise CommandError(f"no generated document {name!r}; known: {', '.join(sorted(found))}")
        for key in [name] if name else sorted(found):
            doc, render = found[key]
            self._write(key, doc, render(), check=options["check"])

    def _write(self, name: str, doc: str, text: str, *, check: bool) -> None:
        path = Path(settings.BASE_DIR) / "docs" / doc
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"docs/{doc} is out of date: run akrites docs {name}")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
