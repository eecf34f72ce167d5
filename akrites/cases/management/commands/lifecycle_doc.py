"""Write (or --check) docs/lifecycle.md from the transition table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.cases.lifecycle import markdown_document


class Command(BaseCommand):
    help = "Generate docs/lifecycle.md from akrites/cases/lifecycle.py."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="fail if the file differs")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.BASE_DIR) / "docs" / "lifecycle.md"
        text = markdown_document()
        if options["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError("docs/lifecycle.md is out of date: run akrites docs lifecycle")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
