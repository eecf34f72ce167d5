"""Evaluate the dedup engine on the benchmark's DEV split, next to a TF-IDF baseline.

Usage::

    .venv/bin/python bench/dedup_eval_engine.py [--data ../shared/data/dedup] [--out /tmp/dedup]

Streams ``dev_records.jsonl`` in ``seq`` order through ``akrites.dedup.engine`` with an
``InMemoryStore`` (every record, existing or incoming, joins the store after its turn), writes
predictions in the scorer's format, and scores them with the benchmark's own ``score.py`` (run
as a subprocess, never copied). The baseline is README baseline (b): TF-IDF over word 1-2
grams, nearest earlier record of any package, link when cosine >= 0.70.

The records are CC BY-NC / CC-BY data for private evaluation: nothing derived from them is
written inside the repository.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from akrites.dedup.engine import InMemoryStore, decide, doc_from_dev_record, features  # noqa: E402

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def load(path: Path) -> list[dict[str, Any]]:
    with path.open() as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return sorted(records, key=lambda r: int(r["seq"]))


def run_engine(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float, int]:
    """Predictions for incoming records, seconds spent deciding, number of decisions."""
    store = InMemoryStore()
    predictions, spent, decisions = [], 0.0, 0
    for rec in records:
        feats = features(doc_from_dev_record(rec))
        if rec["role"] == "incoming":
            started = time.perf_counter()
            decision = decide(feats, store)
            spent += time.perf_counter() - started
            decisions += 1
            predictions.append({"id": rec["id"], "duplicate_of": decision.duplicate_of})
        store.add(rec["id"], feats)
    return predictions, spent, decisions


def _grams(text: str) -> Counter[str]:
    words = _TOKEN.findall(text.lower())
    return Counter(words + [f"{a} {b}" for a, b in itertools.pairwise(words)])


def run_baseline(records: list[dict[str, Any]], threshold: float = 0.70) -> list[dict[str, Any]]:
    """README baseline (b): smoothed-IDF TF-IDF cosine to the nearest earlier record."""
    grams = [_grams(f"{r.get('summary') or ''} {r.get('details') or ''}") for r in records]
    df: Counter[str] = Counter()
    for g in grams:
        df.update(g.keys())
    n = len(records)
    vectors = []
    for g in grams:
        vec = {t: c * (math.log((1 + n) / (1 + df[t])) + 1.0) for t, c in g.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    predictions = []
    for i, rec in enumerate(records):
        if rec["role"] == "incoming":
            acc: defaultdict[int, float] = defaultdict(float)
            for t, v in vectors[i].items():
                for j, w in postings.get(t, ()):
                    acc[j] += v * w
            best = max(acc.items(), key=lambda kv: kv[1], default=None)
            link = records[best[0]]["id"] if best and best[1] >= threshold else None
            predictions.append({"id": rec["id"], "duplicate_of": link})
        for t, v in vectors[i].items():
            postings[t].append((i, v))
    return predictions


def write(path: Path, predictions: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(p) + "\n" for p in predictions))


def score(data: Path, predictions: Path) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            str(data / "score.py"),
            str(data / "dev_gold.jsonl"),
            str(predictions),
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def report(name: str, result: dict[str, Any]) -> None:
    print(
        f"{name:9s} P {result['precision']:.4f}  R {result['recall']:.4f}  F1 {result['f1']:.4f}  "
        f"new-acc {result['new_accuracy']}  decision-acc {result['decision_accuracy']}"
    )
    for stratum, value in result["per_stratum_correct"].items():
        print(f"          {stratum:22s} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "dedup")
    parser.add_argument("--out", type=Path, default=Path("/tmp/dedup-eval"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    records = load(args.data / "dev_records.jsonl")

    started = time.perf_counter()
    predictions, deciding, decisions = run_engine(records)
    total = time.perf_counter() - started
    write(args.out / "engine.jsonl", predictions)
    write(args.out / "baseline.jsonl", run_baseline(records))

    report("engine", score(args.data, args.out / "engine.jsonl"))
    report("baseline", score(args.data, args.out / "baseline.jsonl"))
    print(
        f"engine: {decisions} decisions, {decisions / deciding:.0f} decisions/s "
        f"(decide only), {len(records) / total:.0f} records/s end to end "
        f"(features + decide + add, {total:.2f} s)"
    )


if __name__ == "__main__":
    main()
