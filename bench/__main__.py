"""`make bench`: run every benchmark and print figures to paste into docs/BENCHMARKS.md.

``python -m bench [NAME …]`` runs the named benchmarks (default: all) on SQLite, or on a fresh
PostgreSQL database when AKRITES_BENCH_POSTGRES=postgresql://… is set.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from bench._setup import django_on_scratch_db, machine

BENCHMARKS = ("lifecycle", "intake")


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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
