"""``akrites audit verify`` (walk the hash chain, report the first broken link) and
``akrites audit who-read CASE`` (everyone who read the case's embargoed content)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.audit.selectors import READ_PREFIX, audit_reads
from akrites.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit-log operations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        sub.add_parser("verify", help="verify the hash chain")
        who = sub.add_parser("who-read", help="everyone who read a case's embargoed content")
        who.add_argument("case", help="case id, e.g. AKR-2026-00001")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["op"] == "who-read":
            self._who_read(options["case"])
            return
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"audit chain OK: {result.checked} entries verified")
            return
        raise CommandError(
            f"audit chain BROKEN at seq {result.broken_at}: {result.reason} "
            f"({result.checked} entries verified before it)"
        )

    def _who_read(self, case_id: str) -> None:
        entries = audit_reads(object_type="case", object_id=case_id)
        for e in entries:
            what = e.action.removeprefix(READ_PREFIX)
            self.stdout.write(
                f"{e.at:%Y-%m-%dT%H:%M:%SZ}  {e.actor_label}  {what}  {e.data.get('ref', '')}"
            )
        readers = sorted({e.actor_label for e in entries})
        self.stdout.write(f"{len(readers)} readers, {len(entries)} reads: {', '.join(readers)}")
