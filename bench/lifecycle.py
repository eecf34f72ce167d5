"""Case creation (id allocation + timeline + audit) and transitions vs raw durable inserts.

Baseline: plain ``sqlite3`` (or ``psycopg``) single-row INSERT + COMMIT with the same
durability settings, in the same run, so the ratio survives a noisy machine.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bench._setup import percentile


def _raw_sqlite(path: Path, n: int) -> list[float]:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, year INT, number INT, body BLOB)")
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO t (year, number, body) VALUES (?, ?, ?)", (2026, i, b"x" * 200))
        con.execute("COMMIT")
        times.append(time.perf_counter() - t0)
    con.close()
    return times


def run(scratch: Path, n: int = 300) -> dict[str, float]:
    from django.db import connection

    from akrites.cases.services import case_create, case_transition
    from akrites.core.actors import SystemActor
    from akrites.orgs.services import org_create
    from akrites.projects.services import project_create

    actor = SystemActor("bench")
    team = org_create(actor=actor, name="bench team", kind="project_team")
    project = project_create(actor=actor, name="bench project", team=team)

    create_times, transition_times = [], []
    for i in range(n):
        t0 = time.perf_counter()
        case = case_create(actor=actor, project=project, title=f"bench case {i}")
        create_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        case_transition(actor=actor, case=case, name="accept")
        transition_times.append(time.perf_counter() - t0)

    results = {
        "case_create_per_s": n / sum(create_times),
        "case_create_p50_ms": percentile(create_times, 50) * 1000,
        "case_create_p99_ms": percentile(create_times, 99) * 1000,
        "transition_per_s": n / sum(transition_times),
        "transition_p99_ms": percentile(transition_times, 99) * 1000,
    }
    if connection.vendor == "sqlite":
        raw = _raw_sqlite(scratch / "raw.sqlite3", n)
        results["raw_insert_per_s"] = n / sum(raw)
        results["raw_insert_p99_ms"] = percentile(raw, 99) * 1000
        results["ratio_create_vs_raw"] = results["case_create_per_s"] / results["raw_insert_per_s"]
    return results
