"""Write (or --check) docs/advisory-lifecycle.md from the advisory transition table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.disclosure.lifecycle import markdown_document

DOC = Path("docs") / "advisory-lifecycle.md"


class Command(BaseCommand):
    help = "Generate docs/advisory-lifecycle.md from akrites/disclosure/lifecycle.py."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="fail if the file differs")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.BASE_DIR) / DOC
        text = markdown_document()
        if options["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{DOC} is out of date: run akrites docs advisory")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
