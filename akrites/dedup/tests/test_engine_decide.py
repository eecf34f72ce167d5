"""Decisions on hand-written scenarios: duplicates, distinct look-alikes, identity evidence."""

from __future__ import annotations

import pytest

from akrites.dedup.engine import Doc, InMemoryStore, decide, features
from akrites.dedup.tests.engine_corpus import ACME_FLOW_BOILERPLATE, corpus, doc


@pytest.mark.parametrize(
    "text",
    [
        "acme-imaging 3.2.1 fixes an out-of-bounds write in decode_tile when reading TIFF images.",
        "A crafted TIFF image triggers a buffer overflow in acme/tiff.py decode_tile(); "
        "fixed in 3.2.1.",
        "decode_tile in acme-imaging before 3.2.1 has a heap buffer overflow on malformed "
        "TIFF tiles.",
    ],
)
def test_same_bug_worded_differently_is_a_duplicate(text: str) -> None:
    decision = decide(features(doc("q", "acme-imaging", text, ("3.2.1",))), corpus())
    assert decision.kind == "duplicate"
    assert decision.duplicate_of == "img-1"
    assert decision.evidence


def test_distinct_bugs_sharing_boilerplate_are_new() -> None:
    text = (
        ACME_FLOW_BOILERPLATE
        + "the `RenderTemplate` task reads out of bounds when a template is truncated."
    )
    decision = decide(features(doc("q", "acmeflow", text, ("4.2.0",))), corpus())
    assert decision.kind == "new"
    assert decision.duplicate_of is None


def test_same_bug_behind_boilerplate_is_a_duplicate() -> None:
    text = ACME_FLOW_BOILERPLATE + "an empty interval list makes `ParseSchedule` divide by zero."
    decision = decide(features(doc("q", "acmeflow", text, ("4.1.0",))), corpus())
    assert decision.duplicate_of == "flow-1"


def test_sarif_rerun_with_same_fingerprints_is_a_duplicate() -> None:
    store = corpus()
    first = doc(
        "sarif-1",
        "quillweb",
        "py/sql-injection in views/search.py line 40",
        ("1.6.0",),
        fingerprints=("primaryLocationLineHash:9f2c1e77",),
    )
    store.add("sarif-1", features(first))
    rerun = doc(
        "q",
        "quillweb",
        "Query built from user input (views/search.py:42)",
        fingerprints=("primaryLocationLineHash:9f2c1e77",),
    )
    decision = decide(features(rerun), store)
    assert decision.duplicate_of == "sarif-1"
    assert any(e.startswith("fingerprint:") for e in decision.evidence)


ASAN_A = """==1234==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000011
READ of size 4 at 0x602000000011 thread T0
    #0 0x4f5a2c in read_chunk_header /src/quill/chunk.c:123:9
    #1 0x4f6b10 in parse_chunks /src/quill/chunk.c:201:5
    #2 0x4f7c22 in quill_load /src/quill/load.c:88:3
    #3 0x4f8d01 in LLVMFuzzerTestOneInput /src/fuzz/load_fuzzer.c:12:3
"""
ASAN_B = """==99==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x7ffd1234abcd
    #0 0x55d1aa in malloc
    #1 0x55d2bb in read_chunk_header /build/quill-2.0/chunk.c:130:11
    #2 0x55d3cc in parse_chunks /build/quill-2.0/chunk.c:207:2
    #3 0x55d4dd in quill_load /build/quill-2.0/load.c:90:7
"""


def test_stack_trace_variants_of_one_crash_are_duplicates() -> None:
    store = corpus()
    store.add(
        "crash-1",
        features(doc("crash-1", "quillweb", "Fuzzer crash in the chunk reader.\n" + ASAN_A)),
    )
    decision = decide(features(doc("q", "quillweb", "Found with our fuzzer:\n" + ASAN_B)), store)
    assert decision.duplicate_of == "crash-1"
    assert "stack-signature" in decision.evidence


def test_same_cve_identifier_is_a_duplicate_despite_different_text() -> None:
    store = corpus()
    store.add(
        "cve-1",
        features(
            doc("cve-1", "quillweb", "Session fixation in login.", identifiers=("CVE-2031-0001",))
        ),
    )
    decision = decide(features(doc("q", "quillweb", "See CVE-2031-0001 for details.")), store)
    assert decision.duplicate_of == "cve-1"


def test_same_fix_commit_with_a_terse_description_is_a_duplicate() -> None:
    store = corpus()
    url = "https://github.com/quill/quillweb/commit/4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    store.add(
        "fix-1",
        features(
            doc(
                "fix-1",
                "quillweb",
                "Session fixation: the session id survives login in quillweb before 1.6.1.",
                ("1.6.1",),
                references=(url,),
            )
        ),
    )
    decision = decide(
        features(
            doc(
                "q",
                "quillweb",
                "quillweb 1.6.1 rotates the session id on login. " + url,
                ("1.6.1",),
            )
        ),
        store,
    )
    assert decision.duplicate_of == "fix-1"
    assert any(e.startswith("fix-reference:") for e in decision.evidence)


def test_identical_text_in_a_variant_package_is_related_not_duplicate() -> None:
    store = corpus()
    text = "The `Resize` kernel of acme-ml divides by zero when the scale factor is zero."
    store.add("ml-1", features(doc("ml-1", "acme-ml", text, ("2.4.1",))))
    decision = decide(features(doc("q", "acme-ml-gpu", text, ("2.4.1",))), store)
    assert decision.kind == "new"
    assert "ml-1" in [key for key, _ in decision.related]


def test_same_identifier_in_another_package_is_only_related() -> None:
    store = corpus()
    store.add(
        "other-1",
        features(
            doc("other-1", "quillweb", "Bundled parser flaw.", identifiers=("CVE-2031-0002",))
        ),
    )
    decision = decide(features(doc("q", "acme-imaging", "Also affected by CVE-2031-0002.")), store)
    assert decision.kind == "new"
    assert [key for key, _ in decision.related] == ["other-1"]


def test_empty_store_gives_new() -> None:
    decision = decide(features(Doc(key="q", package="x", text="anything")), InMemoryStore())
    assert (decision.kind, decision.duplicate_of) == ("new", None)
