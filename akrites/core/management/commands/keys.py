"""``akrites keys status | rotate | retire KID``: encryption keys at rest."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from akrites.core import crypto, rotation
from akrites.core.fields import keyring


class Command(BaseCommand):
    help = "Encryption keys at rest: status, rotate (re-encrypt everything), retire an old key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        sub.add_parser("status", help="the active key and how many values use each key")
        rot = sub.add_parser("rotate", help="new active key; re-encrypt every value under it")
        rot.add_argument("--batch", type=int, default=500)
        retire = sub.add_parser("retire", help="remove a key no stored value uses")
        retire.add_argument("kid")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["op"] == "rotate":
                kid, rows = rotation.rotate(batch=max(1, options["batch"]))
                self.stdout.write(f"active key {kid}; {rows} rows re-encrypted")
            elif options["op"] == "retire":
                rotation.retire(options["kid"])
                self.stdout.write(f"key {options['kid']} retired")
            else:
                ring = keyring()
                usage = rotation.key_usage()
                self.stdout.write(f"active key: {ring.active}")
                for kid in sorted(set(ring.keys) | set(usage)):
                    known = "" if kid in ring.keys else " (NOT IN KEYRING)"
                    self.stdout.write(f"  {kid}: {usage.get(kid, 0)} values{known}")
        except crypto.CryptoError as exc:
            raise CommandError(str(exc)) from None
