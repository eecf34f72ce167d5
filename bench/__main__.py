"""`make bench`: run every benchmark and print figures to paste into docs/BENCHMARKS.md.

``python -m bench [NAME …]`` runs the named benchmarks (default: all) on SQLite, or on a fresh
PostgreSQL database when AKRITES_BENCH_POSTGRES=postgresql://… is set.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from bench._setup import django_on_scratch_db, machine

BENCHMARKS = (
    "lifecycle",
    "intake",
    "conversation",
    "load",
    "abuse",
    "scale",
    "crash",
    "fuzz",
    "dedup",
)


def _print(results: dict[str, Any]) -> None:
    for key, value in results.items():
        if isinstance(value, list):
            print(f"  {key}:")
            for line in value:
                print(f"    {line}")
        else:
            print(f"  {key:<28} {value:12.2f}")


def main(argv: list[str]) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    names = argv or list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(BENCHMARKS)}")
        return 2
    # The proof drills run in their own processes, on their own databases.
    failed = _proofs(names)
    scratch = django_on_scratch_db()
    from django.db import connection

    from bench import intake, lifecycle

    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}")
    if "lifecycle" in names:
        print("\n## lifecycle / case-id allocation (n=300)")
        _print(lifecycle.run(scratch))
    if "intake" in names:
        print(
            f"\n## intake ({intake.CLIENTS} clients x {intake.SINGLE_TOTAL} single reports; "
            f"{intake.BULK_BATCHES} x {intake.BULK_BATCH}-report bulk requests)"
        )
        _print(intake.run(scratch))
    if "conversation" in names:
        from bench import conversation as conv

        print(
            f"\n## conversation ({conv.MESSAGES} API messages x clients {conv.API_CLIENTS}; "
            f"{conv.MAILS} mails x SMTP connections {conv.MAIL_CONNECTIONS})"
        )
        _print(conv.run(scratch))
    if "load" in names:
        from bench import load

        print(f"\n## load at 1x/10x/100x of {load.DESIGN_RATE}/s ({load.SECONDS:.0f} s per level)")
        _print(load.run(scratch))
    if "scale" in names:
        from bench import scale_fixtures

        print(f"\n## scale fixtures ({scale_fixtures.REPORTS} reports) and list pages")
        _print(scale_fixtures.run())
    return 1 if failed else 0


def _proofs(names: list[str]) -> bool:
    """Long forms of the proof drills (crash: 20 cycles, database kills; abuse; fuzzing)."""
    import subprocess

    env = {**os.environ}
    if os.environ.get("AKRITES_BENCH_POSTGRES"):
        env["AKRITES_DATABASE_URL"] = os.environ["AKRITES_BENCH_POSTGRES"]
    else:
        env.pop("AKRITES_DATABASE_URL", None)
    env.setdefault("AKRITES_PROOF_CYCLES", "20")
    env.setdefault("AKRITES_PROOF_PG_KILL", "1")
    commands: dict[str, list[list[str]]] = {
        "crash": [["-m", "pytest", "tests/proof/test_crash.py", "-q", "-s", "-p", "no:xdist"]],
        "abuse": [["-m", "bench.abuse", "--seconds", "20", "--per-identity", "600"]],
        "fuzz": [["-m", "bench.fuzz_parsers", "--seconds", env.get("AKRITES_FUZZ_SECONDS", "60")]],
        # Issue 4: decision latency at growing index sizes (1 M takes about an hour:
        # AKRITES_DEDUP_SIZES=10k,100k,1M), re-extraction after an upgrade, and quality on
        # the labelled benchmark split when it is present.
        "dedup": [
            ["-m", "bench.dedup_scale", "--sizes", env.get("AKRITES_DEDUP_SIZES", "10k,100k")],
            ["-m", "bench.dedup_reindex"],
        ],
    }
    if _dedup_split().is_file():
        commands["dedup"].append(["manage.py", "eval", "dedup"])
    failed = False
    if os.environ.get("AKRITES_BENCH_POSTGRES"):
        commands.pop("fuzz")  # the parsers do not touch the database: once (SQLite pass) is enough
    for name in (n for n in names if n in commands):
        print(f"\n## {name} (long form)", flush=True)
        if name == "dedup" and not _dedup_split().is_file():
            print(f"quality skipped: {_dedup_split()} not found (set AKRITES_SHARED_DIR)")
        for argv in commands[name]:
            failed |= subprocess.run([sys.executable, *argv], env=env).returncode != 0
    return failed


def _dedup_split() -> Path:
    root = Path(__file__).resolve().parent.parent
    shared = Path(os.environ.get("AKRITES_SHARED_DIR", root.parent / "shared"))
    return shared / "data" / "dedup" / "dev_records.jsonl"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
