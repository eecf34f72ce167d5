"""``akrites audit verify [--checkpoint FILE]`` (walk the hash chain, compare it with the
newest signed checkpoint), ``akrites audit checkpoint [--after-restore]`` (sign one now and
print it as JSON, for a witness) and ``akrites audit who-read CASE`` (everyone who read the
case's embargoed content)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.audit.anchoring import (
    ChainDoesNotExtend,
    audit_verify_anchored,
    checkpoint_after_restore,
    checkpoint_write,
)
from akrites.audit.checkpoints import CheckpointInvalid
from akrites.audit.selectors import READ_PREFIX, audit_reads

RESTORE_HINT = (
    "; if this database was restored from an older backup, record that with "
    "`akrites audit checkpoint --after-restore`"
)


class Command(BaseCommand):
    help = "Audit-log operations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        verify = sub.add_parser("verify", help="verify the hash chain against its checkpoint")
        verify.add_argument("--checkpoint", type=Path, help="a checkpoint (file) kept by a witness")
        cp = sub.add_parser("checkpoint", help="sign a checkpoint of the chain now; print it")
        cp.add_argument(
            "--after-restore",
            action="store_true",
            help="record that the database was restored from an older backup",
        )
        who = sub.add_parser("who-read", help="everyone who read a case's embargoed content")
        who.add_argument("case", help="case id, e.g. AKR-2026-00001")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["op"] == "who-read":
            self._who_read(options["case"])
        elif options["op"] == "checkpoint":
            self._checkpoint(after_restore=options["after_restore"])
        else:
            self._verify(options["checkpoint"])

    def _verify(self, witness: Path | None) -> None:
        result = audit_verify_anchored(witness=witness)
        if result.invalid:
            raise CommandError(f"audit checkpoints INVALID in {result.source}: {result.invalid}")
        chain = result.chain
        if not chain.ok:
            raise CommandError(
                f"audit chain BROKEN at seq {chain.broken_at}: {chain.reason} "
                f"({chain.checked} entries verified before it)"
                + (RESTORE_HINT if chain.behind else "")
            )
        if result.checkpoint is None:
            self.stdout.write(f"audit chain OK: {chain.checked} entries verified")
            self.stderr.write(f"WARNING: not anchored: no checkpoint yet in {result.source}")
            return
        cp = result.checkpoint
        self.stdout.write(
            f"audit chain OK: {chain.checked} entries verified; matches {cp.kind} seq {cp.seq} "
            f"of {cp.at} ({result.source})"
        )

    def _checkpoint(self, *, after_restore: bool) -> None:
        try:
            cp = checkpoint_after_restore() if after_restore else checkpoint_write(force=True)
        except (ChainDoesNotExtend, CheckpointInvalid) as exc:
            raise CommandError(f"no checkpoint written: {exc.message}") from None
        assert cp is not None  # forced
        self.stdout.write(cp.line())

    def _who_read(self, case_id: str) -> None:
        entries = audit_reads(object_type="case", object_id=case_id)
        for e in entries:
            what = e.action.removeprefix(READ_PREFIX)
            self.stdout.write(
                f"{e.at:%Y-%m-%dT%H:%M:%SZ}  {e.actor_label}  {what}  {e.data.get('ref', '')}"
            )
        readers = sorted({e.actor_label for e in entries})
        self.stdout.write(f"{len(readers)} readers, {len(entries)} reads: {', '.join(readers)}")
