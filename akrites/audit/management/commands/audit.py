"""``akrites audit verify``: walk the hash chain and report the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit-log operations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        sub.add_parser("verify", help="verify the hash chain")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"audit chain OK: {result.checked} entries verified")
            return
        raise CommandError(
            f"audit chain BROKEN at seq {result.broken_at}: {result.reason} "
            f"({result.checked} entries verified before it)"
        )
