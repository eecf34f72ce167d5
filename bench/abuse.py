"""Abuse drill: a 50 reports/s burst against the production server, first from one identity,
then spread over 1 000 identities, while one ordinary reporter keeps sending one report a
second.

    python -m bench.abuse [--seconds 20] [--rate 50] [--identities 1000] [--per-identity N]

Contract (``drill`` asserts nothing; ``tests/proof/test_abuse.py`` and the printout do):
the flooding identity is answered 429 with ``Retry-After`` once over its limit, the ordinary
reporter's reports all land, every acknowledged report is in the database exactly once.
The burst is open-loop (requests leave at the rate whatever the latency), bounded by
``seconds`` and by ``MAX_IN_FLIGHT`` concurrent requests.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bench.drill import RETRYABLE, Stream, Tally
from bench.live import Site, postgres_server_url
from bench.live_db import report_doc

MAX_IN_FLIGHT = 64


def _send(http: httpx.Client, token: str, marker: str, tally: Tally) -> None:
    """One report; a connection error or 5xx is retried (same key) up to 5 times."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": marker}
    for _ in range(5):
        t0 = time.perf_counter()
        try:
            r = http.post("/api/v1/reports", json=report_doc(marker), headers=headers)
        except httpx.TransportError as exc:
            with tally.lock:
                tally.statuses[type(exc).__name__] += 1
                tally.retries += 1
            continue
        with tally.lock:
            tally.statuses[str(r.status_code)] += 1
            if r.status_code == 201:
                tally.acked[marker] = r.json()["id"]
                tally.latencies.append(time.perf_counter() - t0)
            if r.status_code == 429 and "Retry-After" not in r.headers:
                tally.retry_after_missing += 1
        if r.status_code == 429 or r.status_code not in RETRYABLE:
            return
        time.sleep(0.2)
    with tally.lock:
        tally.abandoned.append(marker)


def burst(base_url: str, tokens: list[str], *, rate: float, seconds: float, prefix: str) -> Tally:
    """Open-loop burst at ``rate``/s for ``seconds``, tokens taken round-robin."""
    tally = Tally()
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT)
    with (
        httpx.Client(base_url=base_url, timeout=60, limits=limits) as http,
        ThreadPoolExecutor(MAX_IN_FLIGHT) as pool,
    ):
        slots = threading.BoundedSemaphore(MAX_IN_FLIGHT)
        t0, i = time.monotonic(), 0
        while (due := t0 + i / rate) < t0 + seconds:
            time.sleep(max(0.0, due - time.monotonic()))
            slots.acquire()
            marker = f"{prefix}{uuid.uuid4().hex[:16]}"
            future = pool.submit(_send, http, tokens[i % len(tokens)], marker, tally)
            future.add_done_callback(lambda _f: slots.release())
            i += 1
    return tally


def drill(site: Site, *, rate: float, seconds: float, identities: int) -> dict[str, Any]:
    """Run both bursts with an ordinary reporter beside them; check the database after."""
    tokens = site.db("seed", stdin=json.dumps({"reporters": identities + 2}))["tokens"]
    legit_token, flooder, crowd = tokens[0], tokens[1], tokens[2:]
    out: dict[str, Any] = {"rate": rate, "seconds": seconds, "identities": identities}
    acked: dict[str, str] = {}
    for phase, senders in (("one_identity", [flooder]), ("many_identities", crowd)):
        legit = Stream(site.base_url, [legit_token], prefix=f"LEG{phase[:3]}-", rate=1.0).start()
        t0 = time.monotonic()
        tally = burst(site.base_url, senders, rate=rate, seconds=seconds, prefix=f"ABU{phase[:3]}-")
        wall = time.monotonic() - t0
        legit.stop()
        acked.update(tally.acked)
        acked.update(legit.tally.acked)
        out[phase] = {**tally.summary(), "wall_s": wall, "accepted_per_s": len(tally.acked) / wall,
                      "retry_after_missing": tally.retry_after_missing}  # fmt: skip
        out[f"{phase}_legit"] = legit.tally.summary()
        time.sleep(1)
    check = site.db("check", stdin=json.dumps({"marker_prefix": "", "acked": acked}))
    out["check"] = {k: (len(v) if isinstance(v, list) else v) for k, v in check.items()}
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.abuse")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--identities", type=int, default=1000)
    parser.add_argument("--per-identity", type=int, help="AKRITES_RATE_PER_IDENTITY (per minute)")
    args = parser.parse_args(argv)
    pg = postgres_server_url()
    env = {"AKRITES_RATE_PER_IDENTITY": str(args.per_identity)} if args.per_identity else {}
    site = Site.create("postgresql" if pg else "sqlite", postgres_url=pg, **env)
    try:
        site.start_server(workers=3, threads=8)
        site.start_worker()
        print(json.dumps(drill(site, rate=args.rate, seconds=args.seconds,
                               identities=args.identities), indent=1))  # fmt: skip
    finally:
        site.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
