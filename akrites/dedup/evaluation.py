"""Evaluating dedup on a benchmark split through the intake's own code path.

Records stream in ``seq`` order through ``dedup_decide_batch`` / ``dedup_index_batch`` over
the database index: a run of ``existing`` records is indexed, a run of ``incoming`` records is
decided in batches and then indexed, so every decision sees exactly the records with a smaller
``seq``. Everything happens in one transaction that is rolled back, so the database is left
as it was. The same split is also run through the engine's ``InMemoryStore`` (the reference)
and the TF-IDF baseline of ``bench/dedup_eval_engine.py``, and all three are scored by the
benchmark's own ``score.py`` (run as a subprocess, never copied).

The records are licensed for private evaluation only: nothing derived from them is written
except the predictions file the operator asks for.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from akrites.dedup.engine import InMemoryStore, decide, doc_from_dev_record, features
from akrites.dedup.services import DedupItem, IndexEntry, dedup_decide_batch, dedup_index_batch

Prediction = dict[str, str | None]


@dataclass
class Run:
    name: str
    predictions: list[Prediction]
    seconds: float = 0.0
    score: dict[str, Any] = field(default_factory=dict)


def load_records(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return sorted(records, key=lambda r: int(r["seq"]))


def _runs(records: list[dict[str, Any]], batch: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Consecutive records of one role, incoming ones cut into batches of ``batch``."""
    run: list[dict[str, Any]] = []
    for rec in records:
        if run and (
            rec["role"] != run[0]["role"] or (rec["role"] == "incoming" and len(run) >= batch)
        ):
            yield run[0]["role"], run
            run = []
        run.append(rec)
    if run:
        yield run[0]["role"], run


def run_database(records: list[dict[str, Any]], *, batch: int = 32) -> Run:
    """Predictions through the database path; rolls everything back before returning."""
    predictions: list[Prediction] = []
    started = time.perf_counter()
    with transaction.atomic():
        for role, run in _runs(records, batch):
            if role != "incoming":
                entries = [
                    IndexEntry(key=str(r["id"]), features=features(doc_from_dev_record(r)))
                    for r in run
                ]
                dedup_index_batch(entries=entries)
                continue
            items = [DedupItem(key=str(r["id"]), doc=doc_from_dev_record(r)) for r in run]
            results = dedup_decide_batch(items=items)
            dedup_index_batch(entries=[res.entry(None) for res in results])
            predictions.extend(
                {
                    "id": res.key,
                    "duplicate_of": res.duplicate_of if res.kind == "duplicate" else None,
                }
                for res in results
            )
        transaction.set_rollback(True)
    return Run("database", predictions, time.perf_counter() - started)


def run_memory(records: list[dict[str, Any]]) -> Run:
    """The reference: the same engine over ``InMemoryStore``."""
    store, predictions = InMemoryStore(), []
    started = time.perf_counter()
    for rec in records:
        feats = features(doc_from_dev_record(rec))
        if rec["role"] == "incoming":
            predictions.append(
                {"id": str(rec["id"]), "duplicate_of": decide(feats, store).duplicate_of}
            )
        store.add(str(rec["id"]), feats)
    return Run("in-memory", predictions, time.perf_counter() - started)


def run_baseline(records: list[dict[str, Any]]) -> Run | None:
    """README baseline (b) from ``bench/dedup_eval_engine.py``; None outside a source tree."""
    root = str(Path(settings.BASE_DIR))
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        bench = importlib.import_module("bench.dedup_eval_engine")
    except ImportError:
        return None
    started = time.perf_counter()
    predictions: list[Prediction] = bench.run_baseline(records)
    return Run("tf-idf", predictions, time.perf_counter() - started)


def score(scorer: Path, gold: Path, predictions: list[Prediction]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        handle.write("".join(json.dumps(p) + "\n" for p in predictions))
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv: our interpreter, the benchmark's scorer
            [sys.executable, str(scorer), str(gold), handle.name, "--json"],
            check=True, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        Path(handle.name).unlink(missing_ok=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def evaluate(data: Path, *, split: str = "dev", batch: int = 32) -> list[Run]:
    """Run and score the database path, the in-memory reference and the baseline."""
    records = load_records(data / f"{split}_records.jsonl")
    runs = [run_database(records, batch=batch), run_memory(records)]
    baseline = run_baseline(records)
    if baseline is not None:
        runs.append(baseline)
    for run in runs:
        run.score = score(data / "score.py", data / f"{split}_gold.jsonl", run.predictions)
    return runs


def render(runs: list[Run]) -> str:
    """A plain-text table: headline figures, then recall/accuracy per stratum."""
    lines = [
        f"{'':10s} {'P':>7s} {'R':>7s} {'F1':>7s} {'new-acc':>8s} {'dec-acc':>8s} {'secs':>7s}"
    ]
    for run in runs:
        s = run.score
        lines.append(
            f"{run.name:10s} {s['precision']:7.4f} {s['recall']:7.4f} {s['f1']:7.4f} "
            f"{float(s['new_accuracy']):8.4f} {float(s['decision_accuracy']):8.4f} "
            f"{run.seconds:7.2f}"
        )
    strata = sorted({k for run in runs for k in run.score.get("per_stratum_correct", {})})
    lines.append("")
    lines.append(f"{'stratum':22s} " + " ".join(f"{run.name:>16s}" for run in runs))
    for stratum in strata:
        cells = [str(run.score["per_stratum_correct"].get(stratum, "-")) for run in runs]
        lines.append(f"{stratum:22s} " + " ".join(f"{c:>16s}" for c in cells))
    db, mem = runs[0].predictions, runs[1].predictions
    same = sum(a == b for a, b in zip(db, mem, strict=True))
    lines.append("")
    lines.append(f"database path == in-memory engine on {same}/{len(db)} decisions")
    return "\n".join(lines)
