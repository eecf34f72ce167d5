"""Crash safety: kill -9 a web worker, the task worker and (PostgreSQL, opt-in) the database
server at random moments while clients stream reports; then nothing acknowledged is lost.

Short form (CI): ``AKRITES_PROOF_CYCLES`` (default 5) kills over about a minute per database.
Long form (``make bench``): ``AKRITES_PROOF_CYCLES=20``. The database-crash drill
(``AKRITES_PROOF_PG_KILL=1``) runs on a private PostgreSQL cluster made for it (see
``pgcluster``): every third kill is an immediate shutdown of that cluster or a SIGKILL of one
of its backends (both force crash recovery). It costs a second migration, so it is long-form
only. ``AKRITES_PROOF_SEED`` replays a run's kill schedule.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.drill import Stream
from bench.live import Site
from conftest import requires
from tests.proof import pgcluster

CYCLES = int(os.environ.get("AKRITES_PROOF_CYCLES", "5"))
PG_KILL = os.environ.get("AKRITES_PROOF_PG_KILL") == "1"
SEED = int(os.environ.get("AKRITES_PROOF_SEED", str(random.SystemRandom().randrange(10**6))))
CRASH_ENV = {
    # Recovery and sweeps in seconds rather than minutes, so the test can wait for them.
    "AKRITES_WORKER_LEASE_SECONDS": 3,
    "AKRITES_NOTIFY_SWEEP_SECONDS": 2,
    "AKRITES_RATE_PER_IDENTITY": 10**7,
    "AKRITES_RATE_GLOBAL": 10**7,
}


def _kill_web_worker(site: Site, rng: random.Random) -> None:
    before = site.web_workers()
    os.kill(rng.choice(before), signal.SIGKILL)
    # gunicorn's master replaces it; wait so the next kill finds a full set.
    deadline = time.monotonic() + 30
    while len(site.web_workers()) < len(before) and time.monotonic() < deadline:
        time.sleep(0.2)


def _kill_task_worker(site: Site, rng: random.Random) -> None:
    victim = site.workers.pop()
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    time.sleep(rng.uniform(0.0, 2.0))
    site.start_worker()


def _drill(site: Site, victims: dict[str, Callable[[random.Random], object]]) -> None:
    """Stream reports, kill a victim per cycle, stop, check the database; assert the contract."""
    tokens = site.db("seed", stdin=json.dumps({"reporters": 3, "maintainers": 2}))["tokens"]
    site.start_server(workers=3, threads=4)
    site.start_worker()
    rng = random.Random(SEED)
    prefix = f"PRF{SEED}-"
    names = sorted(victims)
    stream = Stream(site.base_url, tokens, prefix=prefix, per_token=2).start()
    log = []
    t0 = time.monotonic()
    try:
        for cycle in range(CYCLES):
            time.sleep(rng.uniform(1.0, 4.0))
            name = names[cycle] if cycle < len(names) else rng.choice(names)
            log.append((round(time.monotonic() - t0, 1), name))
            victims[name](rng)
        time.sleep(2)
    finally:
        stream.stop()
    tally = stream.tally
    result = site.db(
        "check",
        stdin=json.dumps({"marker_prefix": prefix, "acked": tally.acked, "drain_seconds": 60}),
    )
    summary = {"vendor": site.vendor, "seed": SEED, "cycles": CYCLES, "kills": log,
               "clients": tally.summary(), "check": result,
               "seconds": round(time.monotonic() - t0, 1)}  # fmt: skip
    print(json.dumps(summary, indent=1))
    if out := os.environ.get("AKRITES_PROOF_REPORT"):
        with Path(out).open("a") as f:
            f.write(json.dumps(summary) + "\n")

    assert tally.acked, "no report was acknowledged"
    assert not tally.abandoned, f"clients gave up on {len(tally.abandoned)} reports"
    for key in ("missing", "duplicated", "wrong_id", "content_mismatch", "without_case",
                "not_audited", "unacked_committed"):  # fmt: skip
        assert result[key] == [], f"{key}: {result[key][:5]} (seed {SEED})"
    assert result["reports"] == len(tally.acked)
    assert result["cases_without_timeline"] == 0 and result["cases_missing"] == 0
    assert result["audit_ok"], result["audit_reason"]
    assert result["tasks_pending"] == 0 and result["events_undispatched"] == 0, result
    assert result["tasks_failed"] == 0, result


@pytest.mark.slow
def test_nothing_acknowledged_is_lost_when_web_and_task_workers_are_killed(make_site):
    site = make_site(**CRASH_ENV)
    _drill(
        site,
        {
            "web": lambda rng: _kill_web_worker(site, rng),
            "worker": lambda rng: _kill_task_worker(site, rng),
        },
    )


@pytest.mark.slow
def test_nothing_acknowledged_is_lost_when_the_database_crashes(make_site):
    from tests.proof.conftest import suite_vendor

    if suite_vendor() != "postgresql":
        pytest.skip("database crashes are drilled in the PostgreSQL pass")
    if not PG_KILL:
        pytest.skip("long form only: set AKRITES_PROOF_PG_KILL=1 (make bench does)")
    requires(pgcluster.available(), "AKRITES_PROOF_PG_KILL=1 needs PostgreSQL's initdb")
    cluster = pgcluster.Cluster()
    try:
        cluster.start()
        site = Site.create(
            "postgresql", postgres_url=cluster.url, **{k: str(v) for k, v in CRASH_ENV.items()}
        )
        try:
            _drill(
                site,
                {
                    "web": lambda rng: _kill_web_worker(site, rng),
                    "worker": lambda rng: _kill_task_worker(site, rng),
                    "postgres-immediate": lambda rng: cluster.crash_immediate(rng.uniform(0.5, 2)),
                    "postgres-backend": lambda rng: cluster.kill_backend(),
                },
            )
        finally:
            site.close()
    finally:
        cluster.close()
