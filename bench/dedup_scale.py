"""Dedup decision latency against a growing database index (issue 4, item 6).

Usage::

    .venv/bin/python -m bench.dedup_scale [--sizes 10k,100k,1M] [--queries 300]

Synthetic reports (made-up vocabulary, nothing from the benchmark split) with realistic skew:
projects drawn from a Zipf law (s = 1.1), so a few projects hold thousands of look-alike
reports that share a boilerplate sentence, and most projects hold a handful. Reports are
indexed through the production writer (``dedup_index_batch``) in batches; features are
computed in worker processes (population is not what is measured). At each size, single-report
intake decisions (``dedup_decide_batch`` with one item, features included) are timed on one
core, half of them rewordings of stored reports, half new bugs, with the same project skew.
Baseline in the same run: one plain indexed SELECT of a posting list.

SQLite in a scratch directory by default; AKRITES_DATABASE_URL selects another database.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
from typing import Any

from bench._setup import django_on_scratch_db, machine, percentile

SYLLABLES = [
    "ka",
    "ro",
    "ve",
    "li",
    "mu",
    "ta",
    "ne",
    "si",
    "po",
    "fa",
    "gu",
    "dre",
    "zel",
    "tor",
    "vin",
    "mar",
    "sol",
    "pek",
    "quo",
    "bri",
]
FLAWS = [
    "reads out of bounds",
    "writes past the end of a buffer",
    "divides by zero",
    "follows symlinks outside the target directory",
    "builds a query from unescaped input",
    "uses memory after freeing it",
    "loops forever",
    "leaks the session token in a redirect",
]
N_PROJECTS = 20_000
BATCH = 2_000


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


class Generator:
    """Deterministic synthetic reports; ``report(i)`` is the same in every process."""

    def __init__(self, seed: int = 7) -> None:
        rng = random.Random(seed)
        self.vocab = sorted({_word(rng) for _ in range(30_000)})
        weights = [1.0 / (r**1.1) for r in range(1, N_PROJECTS + 1)]
        total = sum(weights)
        self.cumulative: list[float] = []
        acc = 0.0
        for w in weights:
            acc += w / total
            self.cumulative.append(acc)
        self.seed = seed

    def project(self, rng: random.Random) -> int:
        return min(N_PROJECTS - 1, _bisect(self.cumulative, rng.random()))

    def _project_words(self, project: int) -> tuple[list[str], str]:
        rng = random.Random(self.seed * 1_000_003 + project)
        words = rng.sample(self.vocab, 120)
        boiler = " ".join(rng.sample(self.vocab, 14))
        return words, f"{_word(rng)} is an open source {boiler} library."

    def bug(self, project: int, bug: int) -> dict[str, Any]:
        """The facts of one bug: function, file, flaw, version and a few specific words."""
        rng = random.Random(f"{self.seed}:{project}:{bug}")
        words, _ = self._project_words(project)
        return {
            "fn": f"{rng.choice(words)}_{rng.choice(words)}",
            "file": f"{rng.choice(words)}/{rng.choice(words)}.py",
            "flaw": rng.choice(FLAWS),
            "fixed": f"{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}",
            "words": rng.sample(words, 12),
        }

    def text(self, project: int, bug: int, variant: int) -> tuple[str, str, str]:
        """(package, text, fixed version) of one wording of one bug."""
        facts = self.bug(project, bug)
        rng = random.Random(f"{self.seed}:{project}:{bug}:{variant}")
        _, boiler = self._project_words(project)
        words = rng.sample(facts["words"], 8) + rng.sample(self.vocab, 3)
        rng.shuffle(words)
        parts = [
            f"In affected versions the `{facts['fn']}` function in {facts['file']}",
            facts["flaw"],
            "when " + " ".join(words) + ".",
            f"Fixed in {facts['fixed']}.",
        ]
        body = (boiler + " " if rng.random() < 0.6 else "") + " ".join(parts)
        return self.package(project), body, facts["fixed"]

    def package(self, project: int) -> str:
        rng = random.Random(f"package:{self.seed}:{project}")
        return f"{_word(rng)}-{_word(rng)}"

    def stored(self, i: int) -> tuple[str, str, str]:
        rng = random.Random(f"stored:{self.seed}:{i}")
        project = self.project(rng)
        return self.text(project, rng.randint(0, 10**9), 0)


def _bisect(values: list[float], x: float) -> int:
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


_GEN: Generator | None = None


def _features_chunk(bounds: tuple[int, int]) -> list[tuple[str, Any]]:
    from akrites.dedup.engine import Doc, features

    global _GEN
    if _GEN is None:
        _GEN = Generator()
    out = []
    for i in range(*bounds):
        package, text, fixed = _GEN.stored(i)
        doc = Doc(key=f"syn-{i}", package=package, ecosystem="PyPI", text=text,
                  fixed_versions=(fixed,))  # fmt: skip
        out.append((doc.key, features(doc)))
    return out


def populate(start: int, stop: int, pool: Any) -> float:
    """Index stored reports ``start..stop`` through the production writer; seconds spent."""
    from django.db import connection, transaction

    from akrites.dedup.services import IndexEntry, dedup_index_batch

    began = time.perf_counter()
    if connection.vendor == "sqlite":
        # Population is not what is measured: a large page cache speeds the random-key counter
        # upserts of a million-report index; the measurement runs with the configured cache.
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size=-4000000")
    chunks = [(i, min(i + BATCH, stop)) for i in range(start, stop, BATCH)]
    for n, rows in enumerate(pool.imap(_features_chunk, chunks), start=1):
        with transaction.atomic():
            dedup_index_batch(entries=[IndexEntry(key=k, features=f) for k, f in rows])
        if n % 25 == 0:
            done = chunks[n - 1][1]
            rate = (done - start) / (time.perf_counter() - began)
            print(f"    indexed {done:,} ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    if connection.vendor == "sqlite":
        connection.close()  # the next connection has the configured cache size again
    return time.perf_counter() - began


def queries(gen: Generator, count: int, stored: int, seed: int) -> list[Any]:
    """Half rewordings of stored reports, half new bugs, with the stored project skew."""
    from akrites.dedup.engine import Doc
    from akrites.dedup.services import DedupItem

    rng = random.Random(seed)
    items = []
    for q in range(count):
        if q % 2 == 0:
            srng = random.Random(f"stored:{gen.seed}:{rng.randrange(stored)}")
            project = gen.project(srng)
            package, text, fixed = gen.text(project, srng.randint(0, 10**9), 1 + q)
        else:
            package, text, fixed = gen.text(gen.project(rng), -1 - q, 0)
        doc = Doc(key=f"q-{stored}-{q}", package=package, ecosystem="PyPI", text=text,
                  fixed_versions=(fixed,))  # fmt: skip
        items.append(DedupItem(key=doc.key, doc=doc))
    return items


def measure(items: list[Any]) -> dict[str, float]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from akrites.dedup.engine import features
    from akrites.dedup.hashing import Hasher
    from akrites.dedup.models import DedupPosting
    from akrites.dedup.services import dedup_decide_batch

    times, kinds, n_queries = [], {"duplicate": 0, "new": 0, "already_public": 0}, 0
    hasher, raw = Hasher(), []
    table = DedupPosting._meta.db_table
    # Each decision is followed by its baseline (one indexed SELECT of one of its posting
    # lists), so both see the same moment of a noisy machine.
    for item in items:
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            [result] = dedup_decide_batch(items=[item])
            times.append(time.perf_counter() - t0)
        kinds[result.kind] += 1
        n_queries = max(n_queries, len(ctx.captured_queries))
        pairs = features(item.doc).index_tokens()
        h = hasher.posting(*pairs[len(pairs) // 2])
        with connection.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute(f"SELECT entry_id FROM {table} WHERE token_hash = %s", [h])
            cur.fetchall()
            raw.append(time.perf_counter() - t0)
    return {
        "p50_ms": percentile(times, 50) * 1000,
        "p99_ms": percentile(times, 99) * 1000,
        "decisions_per_s": len(times) / sum(times),
        "max_queries": n_queries,
        "duplicates": kinds["duplicate"],
        "raw_select_p50_ms": percentile(raw, 50) * 1000,
        "raw_select_p99_ms": percentile(raw, 99) * 1000,
    }


def _size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="stored sizes, e.g. 10k,100k,1M")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--workers", type=int, default=max(1, (multiprocessing.cpu_count() or 2) - 1)
    )
    args = parser.parse_args(argv)
    sizes = sorted(_size(s) for s in args.sizes.split(","))
    django_on_scratch_db()
    from django.db import connection

    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}")
    gen, stored = Generator(), 0
    header = (
        f"{'stored':>9} {'index s':>8} {'p50 ms':>7} {'p99 ms':>7} {'dec/s':>6} "
        f"{'queries':>7} {'dups':>5} {'raw p50':>8} {'raw p99':>8}"
    )
    print(header)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(args.workers) as pool:
        for size in sizes:
            spent = populate(stored, size, pool)
            stored = size
            r = measure(queries(gen, args.queries, stored, seed=size))
            print(
                f"{size:>9,} {spent:>8.0f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} "
                f"{r['decisions_per_s']:>6.0f} {r['max_queries']:>7.0f} {r['duplicates']:>5} "
                f"{r['raw_select_p50_ms']:>8.3f} {r['raw_select_p99_ms']:>8.3f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
