"""Hostile and degenerate input: a decision in bounded work, never an exception."""

from __future__ import annotations

import time

from akrites.dedup.engine import Doc, InMemoryStore, decide, features
from akrites.dedup.engine.features import MAX_TERMS
from akrites.dedup.tests.engine_corpus import corpus

BUDGET_S = 2.0  # generous for slow CI; a normal decision takes about 2 ms


def _timed_decision(doc: Doc, store: InMemoryStore) -> float:
    started = time.perf_counter()
    decision = decide(features(doc), store)
    assert decision.kind in ("duplicate", "new")
    return time.perf_counter() - started


def test_empty_report_without_package_gets_a_decision() -> None:
    store = corpus()
    assert _timed_decision(Doc(key="q"), store) < BUDGET_S
    assert decide(features(Doc(key="q")), store).kind == "new"


def test_ten_thousand_frame_stack_trace_is_bounded() -> None:
    frames = "\n".join(
        f"    #{i} 0x{i:08x} in recurse_{i % 7} /src/r.c:{i}:1" for i in range(10_000)
    )
    text = "AddressSanitizer: stack-overflow\n" + frames
    doc = Doc(
        key="q", package="quillweb", text=text, stack_frames=tuple(f"f{i}" for i in range(10_000))
    )
    assert _timed_decision(doc, corpus()) < BUDGET_S


def test_boilerplate_repeated_ten_thousand_times_is_bounded() -> None:
    text = "TensorFlow is an end-to-end open source platform for machine learning. " * 10_000
    store = corpus()
    for i in range(50):
        store.add(f"b{i}", features(Doc(key=f"b{i}", package="acme-ml", text=text)))
    started = time.perf_counter()
    feats = features(Doc(key="q", package="acme-ml", text=text))
    assert len(feats.terms) <= MAX_TERMS
    assert decide(feats, store).kind in ("duplicate", "new")
    assert time.perf_counter() - started < BUDGET_S


def test_pathological_fields_do_not_raise() -> None:
    doc = Doc(
        key="q",
        package="pkg:not a purl at all@@",
        ecosystem="",
        text="(" * 50_000 + "`" * 10_000 + "http://" * 5_000,
        references=("not a url", "http://[::1", "https://github.com/a/b/commit/zz"),
        affected=(("garbage", None, None), (None, "1.0", "2.0"), ("0", None, "x.y")),
        fixed_versions=("", "v", "1..2"),
        cwes=("CWE-xyz", "79"),
    )
    assert _timed_decision(doc, corpus()) < BUDGET_S


def test_many_documents_sharing_one_common_word_are_not_scanned() -> None:
    store = InMemoryStore()
    for i in range(2_000):
        store.add(
            f"d{i}", features(Doc(key=f"d{i}", package="bigpkg", text=f"common widget issue {i}"))
        )
    # The only shared token is in every posting list beyond the cap: no scan, no candidates.
    assert store.candidates(features(Doc(key="q", package="bigpkg", text="widget")), 40) == []
