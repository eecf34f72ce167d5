"""Load at 1x, 10x and 100x the design point (5 reports/s sustained, 50/s bursts) against the
production server on loopback, for intake and for reads, beside the raw storage reference.

    python -m bench load    # make bench: SQLite; PostgreSQL with AKRITES_BENCH_POSTGRES
    AKRITES_LOAD_SECONDS=10 python -m bench load

Each level is an open-loop burst (``bench.abuse.burst``: requests leave at the offered rate,
whatever the latency, at most ``MAX_IN_FLIGHT`` in flight) bounded by ``SECONDS``; the figures
are the achieved rate of 201s (or 200s), p50 and p99 latency, and the achieved intake rate as
a fraction of raw single-row durable inserts (``bench.intake``'s baseline) in the same run.
"""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench._setup import percentile
from bench.abuse import MAX_IN_FLIGHT, burst
from bench.live import Site, postgres_server_url

DESIGN_RATE = 5.0
LEVELS = (1, 10, 100)
SECONDS = float(os.environ.get("AKRITES_LOAD_SECONDS", "10"))
READS = ("/api/v1/reports?limit=50", "/api/v1/cases?limit=50")


def _reads(base_url: str, token: str, *, rate: float, seconds: float) -> dict[str, float]:
    """Open-loop GETs of the list endpoints (alternating) at ``rate``/s."""
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    slots = threading.BoundedSemaphore(MAX_IN_FLIGHT)
    headers = {"Authorization": f"Bearer {token}"}

    def get(http: httpx.Client, path: str) -> None:
        t0 = time.perf_counter()
        try:
            ok = http.get(path, headers=headers).status_code == 200
        except httpx.TransportError:
            ok = False
        with lock:
            lat.append(time.perf_counter() - t0) if ok else None
            errors[0] += not ok

    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT)
    t0, i = time.monotonic(), 0
    with (
        httpx.Client(base_url=base_url, timeout=60, limits=limits) as http,
        ThreadPoolExecutor(MAX_IN_FLIGHT) as pool,
    ):
        while (due := t0 + i / rate) < t0 + seconds:
            time.sleep(max(0.0, due - time.monotonic()))
            slots.acquire()
            pool.submit(get, http, READS[i % 2]).add_done_callback(lambda _f: slots.release())
            i += 1
    wall = time.monotonic() - t0
    return {"ok_per_s": len(lat) / wall, "p50_ms": percentile(lat, 50) * 1000,
            "p99_ms": percentile(lat, 99) * 1000, "errors": errors[0]}  # fmt: skip


def run(scratch: Path) -> dict[str, Any]:
    """Intake and reads at each level on a fresh site of the bench's database vendor."""
    from django.db import connection

    from bench.intake import _raw_postgres, _raw_sqlite

    pg = postgres_server_url() if connection.vendor == "postgresql" else None
    unlimited = {"AKRITES_RATE_PER_IDENTITY": "10000000", "AKRITES_RATE_GLOBAL": "10000000"}
    site = Site.create("postgresql" if pg else "sqlite", postgres_url=pg, **unlimited)
    results: dict[str, Any] = {}
    try:
        tokens = site.db("seed", stdin=json.dumps({"reporters": 8, "maintainers": 1}))["tokens"]
        site.start_server(workers=3, threads=8)
        site.start_worker()
        for level in LEVELS:
            rate = DESIGN_RATE * level
            t0 = time.monotonic()
            tally = burst(site.base_url, tokens, rate=rate, seconds=SECONDS, prefix=f"LD{level}-")
            wall = time.monotonic() - t0
            summary = tally.summary()
            results[f"intake_{level}x_offered_per_s"] = rate
            results[f"intake_{level}x_acked_per_s"] = len(tally.acked) / wall
            results[f"intake_{level}x_p50_ms"] = summary["p50_ms"]
            results[f"intake_{level}x_p99_ms"] = summary["p99_ms"]
            results[f"intake_{level}x_not_201"] = sum(
                v for k, v in summary.items() if k.startswith("status_") and k != "status_201"
            )
            reads = _reads(site.base_url, tokens[0], rate=rate * 2, seconds=SECONDS)
            for key, value in reads.items():
                results[f"reads_{level}x_{key}"] = value
    finally:
        site.close()
    raw = _raw_sqlite(scratch / "raw-load.sqlite3") if not pg else _raw_postgres()
    results["raw_single_rows_per_s"] = raw["raw_single_rows_per_s"]
    best = max(results[f"intake_{level}x_acked_per_s"] for level in LEVELS)
    results["ratio_best_intake_vs_raw"] = best / raw["raw_single_rows_per_s"]
    return results
