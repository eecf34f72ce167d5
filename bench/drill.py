"""Drill clients: threads that stream marked reports to a live server and keep what was
acknowledged, for the crash test, the abuse drill and the load benchmark.

Contract of ``Stream``: each client sends reports ``report_doc(marker)`` with
``Idempotency-Key: marker``. A report counts as acknowledged only on a 201. On a connection
error, a 5xx or a 429, the client retries the *same* marker with the same key (after
Retry-After for a 429, capped) until acknowledged or ``give_up`` seconds after ``stop()``;
with ``retry=False`` (the abuse drill) a 429 is recorded and the client moves on. A client may
pace itself to ``rate`` reports per second.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bench._setup import percentile
from bench.live_db import report_doc

RETRYABLE = {500, 502, 503, 504, 429}


@dataclass
class Tally:
    """What the clients saw; shared by all threads under ``lock``."""

    acked: dict[str, str] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    replayed: int = 0
    retry_after_missing: int = 0
    abandoned: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def summary(self) -> dict[str, float]:
        return {
            "acked": len(self.acked),
            "retries": self.retries,
            "replayed": self.replayed,
            "abandoned": len(self.abandoned),
            "p50_ms": percentile(self.latencies, 50) * 1000,
            "p99_ms": percentile(self.latencies, 99) * 1000,
            **{f"status_{k}": v for k, v in sorted(self.statuses.items())},
        }


class Stream:
    """``len(tokens) * per_token`` client threads streaming reports until ``stop()``."""

    def __init__(
        self,
        base_url: str,
        tokens: list[str],
        *,
        prefix: str,
        per_token: int = 1,
        rate: float | None = None,
        retry: bool = True,
        give_up: float = 90.0,
        limit: int | None = None,
    ) -> None:
        self.base_url, self.prefix, self.rate, self.retry = base_url, prefix, rate, retry
        self.give_up, self.limit = give_up, limit
        self.tally = Tally()
        self.stopping = threading.Event()
        self.stopped_at = 0.0
        self.threads = [
            threading.Thread(target=self._client, args=(tok,), daemon=True)
            for tok in tokens
            for _ in range(per_token)
        ]

    def start(self) -> Stream:
        for t in self.threads:
            t.start()
        return self

    def stop(self) -> None:
        self.stopped_at = time.monotonic()
        self.stopping.set()
        for t in self.threads:
            t.join()

    def _deadline_passed(self) -> bool:
        return self.stopping.is_set() and time.monotonic() > self.stopped_at + self.give_up

    def _client(self, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        sent = 0
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=30) as http:
            while not self.stopping.is_set() and (self.limit is None or sent < self.limit):
                t0 = time.monotonic()
                self._one(http, f"{self.prefix}{uuid.uuid4().hex[:16]}")
                sent += 1
                if self.rate:
                    time.sleep(max(0.0, 1 / self.rate - (time.monotonic() - t0)))

    def _one(self, http: httpx.Client, marker: str) -> None:
        doc, key = report_doc(marker), {"Idempotency-Key": marker}
        while True:
            t0 = time.perf_counter()
            try:
                r = http.post("/api/v1/reports", json=doc, headers=key)
                status = str(r.status_code)
            except httpx.TransportError as exc:
                r, status = None, type(exc).__name__
            dt = time.perf_counter() - t0
            with self.tally.lock:
                self.tally.statuses[status] += 1
                if r is not None and r.status_code == 201:
                    self.tally.latencies.append(dt)
                    self.tally.acked[marker] = r.json()["id"]
                    self.tally.replayed += r.headers.get("Idempotent-Replayed") == "true"
                    return
                if r is not None and r.status_code == 429 and "Retry-After" not in r.headers:
                    self.tally.retry_after_missing += 1
            if r is not None and (r.status_code not in RETRYABLE or
                                  (r.status_code == 429 and not self.retry)):  # fmt: skip
                return
            if self._deadline_passed():
                with self.tally.lock:
                    self.tally.abandoned.append(marker)
                return
            with self.tally.lock:
                self.tally.retries += 1
            wait = 0.2
            if r is not None and r.status_code == 429:
                wait = min(5.0, float(r.headers.get("Retry-After", "1")))
            time.sleep(wait)
