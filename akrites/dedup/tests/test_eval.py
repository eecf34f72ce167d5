"""``akrites eval dedup``: the database path on a tiny hand-written split, scored by score.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from akrites.dedup.evaluation import evaluate, render
from conftest import shared_path

pytestmark = pytest.mark.django_db

TEXTS = {
    "a": "Heap overflow in decode_tile() in acme/tiff.py of acme-imaging before 3.2.1 via a "
    "crafted TIFF file.",
    "b": "Path traversal in save_archive() of acme-imaging before 3.1.0 writes outside the "
    "output directory.",
    "c": "quillweb before 1.5.0 does not validate the redirect target of the login form.",
}
RECORDS = [
    ("e1", "existing", "acme-imaging", TEXTS["a"], "3.2.1"),
    ("e2", "existing", "acme-imaging", TEXTS["b"], "3.1.0"),
    ("e3", "existing", "quillweb", TEXTS["c"], "1.5.0"),
    ("i1", "incoming", "acme-imaging", "acme-imaging 3.2.1 fixes a heap overflow in "
     "decode_tile() (acme/tiff.py) reading crafted TIFF files.", "3.2.1"),
    ("i2", "incoming", "quillweb", "Cross-site scripting in the comment preview of quillweb "
     "before 1.4.2.", "1.4.2"),
    ("i3", "incoming", "quillweb", "Cross-site scripting in the comment preview of quillweb "
     "before 1.4.2.", "1.4.2"),
]  # fmt: skip
GOLD = [
    {"id": "i1", "duplicate_of": "e1", "acceptable": ["e1"], "stratum": "reworded",
     "package_has_existing": True},
    {"id": "i2", "duplicate_of": None, "acceptable": [], "stratum": "new",
     "package_has_existing": True},
    {"id": "i3", "duplicate_of": "i2", "acceptable": ["i2"], "stratum": "incoming_repeat",
     "package_has_existing": True},
]  # fmt: skip


def _split(root: Path) -> Path:
    records = [
        {"id": i, "seq": n, "role": role, "source": "pysec", "ecosystem": "PyPI", "package": pkg,
         "published": None, "summary": None, "details": text,
         "affected": [{"introduced": None, "fixed": fixed, "last_affected": None}],
         "fixed_versions": [fixed], "version_spec": None, "severity": [], "cwe": [],
         "references": []}
        for n, (i, role, pkg, text, fixed) in enumerate(RECORDS)
    ]  # fmt: skip
    (root / "tiny_records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (root / "tiny_gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in GOLD))
    (root / "score.py").symlink_to(shared_path("data", "dedup", "score.py"))
    return root


@pytest.mark.parametrize("batch", [1, 2, 32])
def test_database_path_scores_and_matches_the_in_memory_engine(tmp_path: Path, batch: int) -> None:
    runs = evaluate(_split(tmp_path), split="tiny", batch=batch)
    database, memory = runs[0], runs[1]
    assert database.predictions == memory.predictions
    assert database.predictions == [
        {"id": "i1", "duplicate_of": "e1"},
        {"id": "i2", "duplicate_of": None},
        {"id": "i3", "duplicate_of": "i2"},
    ]
    assert database.score["precision"] == 1.0 and database.score["recall"] == 1.0
    assert "database path == in-memory engine on 3/3 decisions" in render(runs)
