"""``akrites dedup-reindex``: re-extract index entries after the engine's extraction changed.

Run it after an upgrade whose notes say the dedup feature version changed (the command says
how many entries are stale, and does nothing when none are). Reports are re-extracted from
their stored form; advisories need ``akrites import-osv`` on the OSV export again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from akrites.core.actors import SystemActor
from akrites.dedup.engine import FEATURES_VERSION
from akrites.dedup.services.reindex import BATCH, dedup_reindex, stale_counts


class Command(BaseCommand):
    help = "Re-extract dedup index entries built by an older version of the engine."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=BATCH, help="entries per transaction")
        parser.add_argument(
            "--check", action="store_true", help="only report stale entries (exit 1 if any)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stale = stale_counts()
        self.stdout.write(
            f"feature version {FEATURES_VERSION}: {stale['report']} report and "
            f"{stale['advisory']} advisory entries are older"
        )
        if options["check"]:
            if stale["report"] or stale["advisory"]:
                raise SystemExit(1)
            return
        batch = max(1, int(options["batch"]))

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\rreports {done}/{total}", ending="")

        counts = dedup_reindex(actor=SystemActor("dedup-reindex"), batch=batch, progress=progress)
        if counts.reindexed or counts.unreadable:
            self.stderr.write("")
        self.stdout.write(
            f"reports: {counts.reindexed} re-extracted, {counts.unreadable} unreadable (kept)"
        )
        if counts.advisories_stale:
            self.stdout.write(
                f"advisories: {counts.advisories_stale} older entries; run "
                "'akrites import-osv' on your OSV export to refresh them"
            )
