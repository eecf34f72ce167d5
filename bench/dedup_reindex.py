"""Re-extracting the dedup index after an engine upgrade (``akrites dedup-reindex``).

Usage::

    .venv/bin/python -m bench.dedup_reindex [--reports 3000]

Records synthetic reports (made-up text, 30 packages) through the intake's own path, marks
every entry as built by feature version 1, and times ``dedup_reindex`` over them. Baseline in
the same run: recording the same number of reports through intake (which extracts features
once per report too), so the ratio survives a noisy machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from bench._setup import django_on_scratch_db, machine

WORDS = [
    "parser",
    "decoder",
    "buffer",
    "header",
    "chunk",
    "frame",
    "stream",
    "table",
    "index",
    "cache",
    "token",
    "session",
    "cookie",
    "redirect",
    "template",
    "loader",
]


def submissions(start: int, count: int, rng: random.Random) -> list[object]:
    from akrites.intake.parsers import PackageRef, ParsedReport
    from akrites.intake.services import Submission

    out: list[object] = []
    for i in range(start, start + count):
        w = rng.sample(WORDS, 5)
        text = (
            f"The {w[0]} in quill/{w[1]}_{i}.py mishandles {w[2]} {w[3]} input, so a crafted "
            f"{w[4]} crashes the process (case {i})."
        )
        package = PackageRef(purl=f"pkg:pypi/quill{i % 30}", fixed=(f"1.{i % 20}.0",))
        out.append(
            Submission(
                ParsedReport(
                    title=f"{w[0]} {w[1]} flaw {i}",
                    source_format="akrites",
                    description=text,
                    package=package,
                )
            )
        )
    return out


def run(reports: int) -> dict[str, float]:
    from akrites.core.actors import SystemActor
    from akrites.dedup.models import DedupEntry
    from akrites.dedup.services.reindex import dedup_reindex
    from akrites.intake.services import reports_record

    system, rng = SystemActor("bench"), random.Random(3)
    started = time.perf_counter()
    for start in range(0, reports, 100):
        batch = submissions(start, min(100, reports - start), rng)
        reports_record(actor=system, submissions=batch)  # type: ignore[arg-type]
    recorded = time.perf_counter() - started
    DedupEntry.objects.update(features_version=1)
    started = time.perf_counter()
    counts = dedup_reindex(actor=system)
    reindexed = time.perf_counter() - started
    return {
        "reports": float(reports),
        "record_reports_per_s": reports / recorded,
        "reindex_reports_per_s": counts.reindexed / reindexed,
        "reindex_vs_record": (counts.reindexed / reindexed) / (reports / recorded),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=3000)
    args = parser.parse_args(argv)
    django_on_scratch_db()
    from django.db import connection

    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}")
    for key, value in run(args.reports).items():
        print(f"  {key:<24} {value:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
