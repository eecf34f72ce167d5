"""``akrites eval dedup``: score duplicate detection on a benchmark split (see evaluation.py).

By default the evaluation runs in a child process on a throw-away SQLite database in a fresh
temporary var dir (own keys, own index key), removed afterwards: it cannot touch real data,
whatever ``AKRITES_DATABASE_URL`` says. ``--database-url`` points the child at another
scratch database (e.g. PostgreSQL); it must hold no reports and no index entries, and the
evaluation is rolled back there too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

_CHILD = "AKRITES_DEDUP_EVAL_CHILD"


class Command(BaseCommand):
    help = "Evaluate subsystems on benchmark data (subcommand: dedup)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="target", required=True)
        dedup = sub.add_parser("dedup", help="duplicate detection on a split of the dedup set")
        dedup.add_argument(
            "--data", type=Path, default=Path(settings.SHARED_DIR) / "data" / "dedup"
        )
        dedup.add_argument("--split", default="dev", help="reads NAME_records/NAME_gold.jsonl")
        dedup.add_argument("--predictions", type=Path, help="also write the database decisions")
        dedup.add_argument("--batch", type=int, default=32, help="incoming reports per batch")
        dedup.add_argument("--database-url", help="an empty scratch database instead of SQLite")

    def handle(self, *args: Any, **options: Any) -> None:
        data: Path = options["data"].resolve()
        for name in (
            f"{options['split']}_records.jsonl",
            f"{options['split']}_gold.jsonl",
            "score.py",
        ):
            if not (data / name).is_file():
                raise CommandError(f"{data / name} not found")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        if os.environ.get(_CHILD) == "1":
            self._evaluate(data, options)
            return
        self._spawn(data, options)

    def _spawn(self, data: Path, options: dict[str, Any]) -> None:
        scratch = Path(tempfile.mkdtemp(prefix="akrites-eval-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AKRITES_")}
        env.update({_CHILD: "1", "AKRITES_VAR_DIR": str(scratch),
                    "DJANGO_SETTINGS_MODULE": "akrites.settings",
                    "AKRITES_SHARED_DIR": str(settings.SHARED_DIR)})  # fmt: skip
        if options["database_url"]:
            env["AKRITES_DATABASE_URL"] = options["database_url"]
        argv = [sys.executable, "-m", "django", "eval", "dedup", "--data", str(data),
                "--split", options["split"], "--batch", str(options["batch"])]  # fmt: skip
        if options["predictions"]:
            argv += ["--predictions", str(options["predictions"].resolve())]
        try:
            done = subprocess.run(argv, env=env, cwd=settings.BASE_DIR, check=False)  # noqa: S603
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if done.returncode:
            raise CommandError(f"evaluation failed (exit {done.returncode})")

    def _evaluate(self, data: Path, options: dict[str, Any]) -> None:
        from akrites.dedup.evaluation import evaluate, render
        from akrites.dedup.models import DedupEntry
        from akrites.intake.models import Report

        call_command("migrate", verbosity=0, interactive=False)
        if Report.objects.exists() or DedupEntry.objects.exists():
            raise CommandError(
                "the evaluation database holds reports or index entries; use an empty one"
            )
        runs = evaluate(data, split=options["split"], batch=options["batch"])
        if options["predictions"]:
            lines = (json.dumps(p) + "\n" for p in runs[0].predictions)
            options["predictions"].write_text("".join(lines), encoding="utf-8")
        self.stdout.write(render(runs))
