"""`make bench`: run every benchmark and print a table to paste into docs/BENCHMARKS.md."""

from __future__ import annotations

import sys

from bench._setup import django_on_scratch_db, machine


def main() -> int:
    scratch = django_on_scratch_db()
    from django.db import connection

    from bench import lifecycle

    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}")
    print("\n## lifecycle / case-id allocation (n=300)")
    for key, value in lifecycle.run(scratch).items():
        print(f"  {key:<24} {value:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
