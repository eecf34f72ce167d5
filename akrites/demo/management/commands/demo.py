"""``akrites demo``: load the demo data (idempotent) and print the demo logins."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.demo.loader import load_demo, totp_code


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the users as JSON")
        parser.add_argument(
            "--totp",
            metavar="USER",
            help="print the current authenticator code of a demo user (no app needed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["totp"]:
            try:
                self.stdout.write(totp_code(options["totp"]))
            except KeyError:
                raise CommandError("not a demo user with an authenticator") from None
            return
        users = load_demo()
        if options["json"]:
            self.stdout.write(json.dumps([asdict(u) for u in users], indent=2))
            return
        self.stdout.write("Demo logins (passwords are random per install, kept in var/):")
        for u in users:
            login = u.password or "(API token only)"
            self.stdout.write(f"  {u.username:<18} {login:<24} {u.role} @ {u.organisation}")
        self.stdout.write(
            "SIRT and maintainer logins ask for an authenticator code: add the secret below to "
            "an app, or run `.venv/bin/akrites demo --totp USER` for the current code."
        )
        for u in users:
            if u.totp_secret:
                self.stdout.write(f"TOTP secret for {u.username}: {u.totp_secret}")
        for u in users:
            if u.api_token:
                self.stdout.write(f"API token for {u.username}: {u.api_token}")
        self.stdout.write(
            "Try: .venv/bin/akrites submit --server http://127.0.0.1:8000 "
            "--token <reporter token> FILE"
        )
