"""Intake throughput: single reports under 16 concurrent clients, and bulk streams, against
the production server (gunicorn) on loopback — beside raw durable inserts of the same rows.

Run: ``python -m bench.intake`` (SQLite by default; set AKRITES_DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench._setup import percentile

CLIENTS = 16
SINGLE_TOTAL = 800
BULK_BATCH = 1000
BULK_BATCHES = 5


def _doc(i: int) -> dict[str, Any]:
    return {
        "format": "akrites-report/1",
        "title": f"Out-of-bounds read in frame decoder variant {i}",
        "description": f"decode_frame() reads past the buffer when length field {i} exceeds "
        "the payload. Reproducer attached; found by fuzzing with libFuzzer.",
        "package": {
            "purl": "pkg:pypi/benchpkg",
            "affected": "vers:pypi/<2.0.1",
            "fixed": ["2.0.1"],
        },
        "cwe": ["CWE-125"],
        "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H",
        "locations": [{"file": "src/frame.c", "line": 100 + i % 50, "function": "decode_frame"}],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed() -> str:
    from akrites.accounts.services import user_create
    from akrites.accounts.tokens import token_issue
    from akrites.core.actors import SystemActor
    from akrites.orgs.services import org_create
    from akrites.projects.services import package_add, project_create

    actor = SystemActor("bench")
    team = org_create(actor=actor, name="bench team", kind="project_team")
    project = project_create(actor=actor, name="benchpkg", team=team)
    package_add(actor=actor, project=project, purl="pkg:pypi/benchpkg")
    user = user_create(actor=actor, username="bench-reporter", password="bench-password-123456")
    return token_issue(actor=actor, user=user, name="bench", scopes=["submit"]).secret


def _start_server(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "AKRITES_RATE_PER_IDENTITY": "10000000", "AKRITES_RATE_GLOBAL": "10000000"}
    cmd = [
        sys.executable,
        "-m",
        "akrites_cli.main",
        "serve",
        "--no-migrate",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "8",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def _single(base: str, token: str) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = SINGLE_TOTAL // CLIENTS
    failures = [0]

    def client(n: int) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            for i in range(per_client):
                t0 = time.perf_counter()
                r = http.post("/api/v1/reports", json=_doc(n * per_client + i), timeout=30)
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    failures[0] += r.status_code != 201

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "single_reports_per_s": len(latencies) / wall,
        "single_p50_ms": percentile(latencies, 50) * 1000,
        "single_p99_ms": percentile(latencies, 99) * 1000,
        "single_failures": failures[0],
    }


def _bulk(base: str, token: str) -> dict[str, float]:
    total, wall = 0, 0.0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        for b in range(BULK_BATCHES):
            body = "\n".join(
                json.dumps(_doc(100_000 + b * BULK_BATCH + i)) for i in range(BULK_BATCH)
            )
            t0 = time.perf_counter()
            r = http.post(
                "/api/v1/reports/bulk",
                content=body.encode(),
                timeout=300,
                headers={"Content-Type": "application/x-ndjson"},
            )
            wall += time.perf_counter() - t0
            total += int(r.json()["accepted"])
    return {"bulk_reports_per_s": total / wall, "bulk_accepted": total}


def _raw_sqlite(path: Path) -> dict[str, float]:
    import sqlite3

    row = ("x" * 900).encode()
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, public_id TEXT, title BLOB, body BLOB)")
    n = 1000
    t0 = time.perf_counter()
    for i in range(n):
        con.execute("BEGIN IMMEDIATE")
        con.execute(
            "INSERT INTO r (public_id, title, body) VALUES (?, ?, ?)", (f"R{i}", row[:80], row)
        )
        con.execute("COMMIT")
    single = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for b in range(BULK_BATCHES):
        con.execute("BEGIN IMMEDIATE")
        con.executemany(
            "INSERT INTO r (public_id, title, body) VALUES (?, ?, ?)",
            [(f"B{b}-{i}", row[:80], row) for i in range(BULK_BATCH)],
        )
        con.execute("COMMIT")
    batch = BULK_BATCHES * BULK_BATCH / (time.perf_counter() - t0)
    con.close()
    return {"raw_single_rows_per_s": single, "raw_batch_rows_per_s": batch}


def _raw_postgres() -> dict[str, float]:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    conninfo = (
        f"host={db['HOST']} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD']}"
    )
    row = ("x" * 900).encode()
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS bench_raw")
        con.execute(
            "CREATE TABLE bench_raw "
            "(id bigserial PRIMARY KEY, public_id text, title bytea, body bytea)"
        )
    n_per, counter = 1000 // CLIENTS, [0]

    def worker() -> None:
        with psycopg.connect(conninfo) as c:
            for i in range(n_per):
                c.execute(
                    "INSERT INTO bench_raw (public_id, title, body) VALUES (%s, %s, %s)",
                    (f"R{i}", row[:80], row),
                )
                c.commit()
                counter[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    single = counter[0] / (time.perf_counter() - t0)
    with psycopg.connect(conninfo) as c:
        t0 = time.perf_counter()
        for b in range(BULK_BATCHES):
            with c.cursor() as cur:
                cur.executemany(
                    "INSERT INTO bench_raw (public_id, title, body) VALUES (%s, %s, %s)",
                    [(f"B{b}-{i}", row[:80], row) for i in range(BULK_BATCH)],
                )
            c.commit()
        batch = BULK_BATCHES * BULK_BATCH / (time.perf_counter() - t0)
        c.execute("DROP TABLE bench_raw")
        c.commit()
    return {"raw_single_rows_per_s": single, "raw_batch_rows_per_s": batch}


def _profile_bulk(n: int = 1000) -> list[str]:
    """Where the time of one in-process bulk record goes (top functions by cumulative time)."""
    import cProfile
    import io
    import pstats

    from akrites.accounts.models import User
    from akrites.intake.services.submit import submit_stream

    user = User.objects.get(username="bench-reporter")
    from akrites.intake.parsers.common import preload

    preload()
    items = [json.dumps(_doc(900_000 + i)).encode() for i in range(n)]
    prof = cProfile.Profile()
    prof.enable()
    submit_stream(actor=user, items=items)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(25)
    return [line for line in out.getvalue().splitlines() if line.strip()[:1].isdigit()][:20]


def run(scratch: Path) -> dict[str, Any]:
    from django.db import connection

    token = _seed()
    connection.close()
    port = _free_port()
    proc = _start_server(port)
    try:
        base = f"http://127.0.0.1:{port}"
        results: dict[str, Any] = {**_single(base, token), **_bulk(base, token)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    raw = _raw_sqlite(scratch / "raw.sqlite3") if connection.vendor == "sqlite" else _raw_postgres()
    results.update(raw)
    results["ratio_single_vs_raw"] = results["single_reports_per_s"] / raw["raw_single_rows_per_s"]
    results["ratio_bulk_vs_raw_batch"] = results["bulk_reports_per_s"] / raw["raw_batch_rows_per_s"]
    results["profile_bulk_1000"] = _profile_bulk()
    return results


if __name__ == "__main__":
    from bench.__main__ import main

    sys.exit(main(["intake"]))
