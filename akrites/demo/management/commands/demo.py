"""``akrites demo``: load the demo data (idempotent) and print the demo logins."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from akrites.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the users as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        users = load_demo()
        if options["json"]:
            self.stdout.write(json.dumps([asdict(u) for u in users], indent=2))
            return
        self.stdout.write("Demo logins (passwords are random per install, kept in var/):")
        for u in users:
            login = u.password or "(API token only)"
            self.stdout.write(f"  {u.username:<18} {login:<24} {u.role} @ {u.organisation}")
        for u in users:
            if u.api_token:
                self.stdout.write(f"API token for {u.username}: {u.api_token}")
        self.stdout.write(
            "Try: .venv/bin/akrites submit --server http://127.0.0.1:8000 "
            "--token <reporter token> FILE"
        )
