"""Release evidence, package-name silence, re-filed update notices and module names.

Hand-written, fictional data only. Each test names the rule of ``engine.scoring`` or
``engine.signals`` it pins, and fails if that rule is removed.
"""

from __future__ import annotations

from typing import Any

from akrites.dedup.engine import InMemoryStore, decide, features, gather
from akrites.dedup.engine.signals import _misspelt, _within_two_edits, name_terms
from akrites.dedup.engine.versions import fixes_contradict
from akrites.dedup.tests.engine_corpus import doc


def test_fixes_in_one_line_or_far_apart_contradict_neighbouring_lines_do_not() -> None:
    assert fixes_contradict(["2.4.2"], ["2.4.1"])  # two fixes in one release line
    assert fixes_contradict(["1.22.0"], ["1.10.0"])
    # A backport in the previous line, or only the next line cited ("before 1.0").
    assert not fixes_contradict(["0.12.3"], ["1.0"])
    assert not fixes_contradict(["2.6.2"], ["2.7.0"])
    assert not fixes_contradict(["4"], ["5.1"])
    # Several lines: one shared line with different fixes is enough to contradict.
    assert fixes_contradict(["2.6.9", "2.7.7", "3.4.1"], ["2.7.9", "3.3.3"])
    assert not fixes_contradict(["x.y"], ["1.0"])


def test_the_package_name_is_silent() -> None:
    silent = name_terms("pypi/quill-server")
    assert {"w:quill", "w:server", "b:quill server", "s:quill-server"} <= silent
    assert name_terms(None) == frozenset()


def _store(*reports: tuple[str, str, tuple[str, ...]], package: str = "quill") -> InMemoryStore:
    store = InMemoryStore()
    for key, text, fixed in reports:
        store.add(key, features(doc(key, package, text, fixed)))
    return store


QUILL = (
    (
        "q-1",
        "Quill before 3.2.4 lets an embedded page read the clipboard of the editor.",
        ("3.2.4",),
    ),
    (
        "q-2",
        "Quill before 3.1.1 runs macros from an untrusted template without asking.",
        ("3.1.1",),
    ),
    ("q-3", "Quill before 3.1.0 leaks the session token in the page title.", ("3.1.0",)),
)


def test_a_content_free_release_notice_is_the_one_report_of_that_release() -> None:
    decision = decide(
        features(doc("n", "quill", "Quill 3.2.4 includes a fix for a vulnerability.", ("3.2.4",))),
        _store(*QUILL),
    )
    assert decision.duplicate_of == "q-1"
    assert decision.evidence[0] == "release-only"


def test_a_release_notice_is_not_matched_when_the_release_fixed_two_reports() -> None:
    second = ("q-4", "Quill before 3.2.4 follows redirects to other hosts.", ("3.2.4",))
    decision = decide(
        features(doc("n", "quill", "Quill 3.2.4 includes a fix for a vulnerability.", ("3.2.4",))),
        _store(*QUILL, second),
    )
    assert decision.duplicate_of is None


def test_a_release_notice_naming_another_flaw_class_is_not_matched() -> None:
    decision = decide(
        features(doc("n", "quill", "Quill 3.2.4 fixes an SQL injection.", ("3.2.4",))),
        _store(("q-1", "Quill before 3.2.4 has a cross-site scripting flaw.", ("3.2.4",))),
    )
    assert decision.duplicate_of is None


def test_two_notices_of_one_package_name_only_are_not_alike() -> None:
    # All the two share is the package's own name ("Quill server"): that is no evidence.
    store = _store(
        ("old", "Quill-server 2.0.2 includes a fix for [ID].", ("2.0.2",)), package="quill-server"
    )
    text = "Quill-server 1.3.0 includes a fix for [ID] in libfoo 9.1-r4 for armhf."
    decision = decide(features(doc("n", "quill-server", text, ("1.3.0",))), store)
    assert decision.duplicate_of is None
    assert decision.score < 0.5


def test_one_dependency_update_filed_again_at_a_later_release_is_a_duplicate() -> None:
    store = _store(
        (
            "a",
            "Quill 0.9.1 updates its NPM dependency 'lpad' to v2.0.1 to include a security fix.",
            ("0.9.1",),
        ),
        (
            "b",
            "Quill 0.9.1 updates its NPM dependency 'ms' to v3.1.4 to include a security fix.",
            ("0.9.1",),
        ),
    )
    again = "Quill 1.0.0 updates its NPM dependency 'lpad' to v2.0.1 to include a security fix."
    assert decide(features(doc("n", "quill", again, ("1.0.0",))), store).duplicate_of == "a"
    # Another bump of the component at the same release is another flaw of it: not merged.
    other = "Quill 0.9.1 updates its NPM dependency 'lpad' to v2.0.1 to include a security fix."
    decision = decide(features(doc("m", "quill", other, ("0.9.1",))), store)
    assert decision.duplicate_of is None
    assert decision.evidence[0] == "dependency-notice"


def test_naming_the_enclosing_module_counts_as_naming_the_class() -> None:
    store = _store(
        (
            "old",
            "In net.chat.stream in Quill through 7.2.1, the chat client skipped certificate "
            "checks after a STARTTLS upgrade, so a network attacker could read the session.",
            ("7.4.0",),
        ),
        (
            "other",
            "Quill before 7.2.0 mishandles CRLF in request URIs of web.fetcher.",
            ("7.2.0",),
        ),
    )
    query = (
        "In Quill 7.4.0, quill.net.chat.stream.TlsStarter now checks the server certificate "
        "against the system CAs and the stream's host name after a STARTTLS upgrade."
    )
    decision = decide(features(doc("n", "quill", query, ("7.4.0",))), store)
    assert decision.duplicate_of == "old"
    assert not any(e == "code-names:0.00" for e in decision.evidence)


def _signals(query: str, other: str, *background: str) -> Any:
    store = InMemoryStore()
    for i, text in enumerate((other, *background)):
        store.add(f"s{i}", features(doc(f"s{i}", "tensorkit", text, ("2.5.0",))))
    q = features(doc("q", "tensorkit", query, ("2.5.0",)))
    compared, _ = gather(q, store, limit=16)
    return next(sig for key, _, sig in compared if key == "s0")


def test_a_name_inside_a_longer_name_is_not_a_mention_of_it() -> None:
    query = "Tensorkit 2.5.0 fixes a heap OOB read in 'tk.ops.Merge'."
    tail = (
        " The kernel does not check that the two inputs have the same rank, so crafted "
        "shapes make it index past the end of its heap allocated buffer."
    )
    same = "Due to lack of validation in `tk.ops.Merge`, a read outside of bounds occurs."
    other = "An attacker can read outside of bounds in `tk.ops.SparseMergeV2`."
    assert _signals(query, same + tail, other + tail).specific_cover == 1.0
    assert _signals(query, other + tail, same + tail).specific_cover < 0.5


def test_a_look_alike_that_leaves_out_what_the_report_says_does_not_make_it_ambiguous() -> None:
    store = InMemoryStore()
    reports = {
        "bloom": "Tensorkit is a machine learning toolkit. The TKLite bloom filter divides "
        "by zero when a buffer is empty, crashing the process.",
        "conv": "Tensorkit 2.5.0 fixes a division by zero in TKLite convolution.",
    }
    for i, word in enumerate(["pooling", "sorting", "padding", "slicing", "gather", "stride"]):
        reports[f"b{i}"] = f"Tensorkit 2.5.0 fixes a heap overflow in TKLite convolution {word}."
    for key, text in reports.items():
        store.add(key, features(doc(key, "tensorkit", text, ("2.5.0",))))
    # "conv" scores close to "bloom" (its few words are all in the report), but it leaves out
    # "bloom filter", which "bloom" explains: no ambiguity.
    query = "Tensorkit 2.5.0 fixes a division by zero in TKLite bloom filter."
    decision = decide(features(doc("q", "tensorkit", query, ("2.5.0",))), store)
    assert decision.duplicate_of == "bloom"
    assert [key for key, _ in decision.related] == ["conv"]


def test_a_shared_fix_outweighs_versions_that_disagree() -> None:
    fix = "https://github.com/quill/quill/issues/4242"
    store = InMemoryStore()
    stored = "A missing length check in the quill.codec module of Quill 1.9.x lets crafted "
    stored += "frames truncate the decoded stream."
    store.add("old", features(doc("old", "quill", stored, ("1.10.0",), references=(fix,))))
    for i, topic in enumerate(("parser", "cache", "scheduler")):
        text = f"Quill before 1.2{i}.0 mishandles the {topic} under load."
        store.add(f"f{i}", features(doc(f"f{i}", "quill", text, (f"1.2{i}.0",))))
    query = (
        "Quill 1.22.0 includes a fix: a missing length check in the quill.codec module lets "
        "crafted frames truncate the stream. " + fix
    )
    decision = decide(features(doc("q", "quill", query, ("1.22.0",))), store)
    assert decision.duplicate_of == "old"
    assert "versions:conflict:same-fix" in decision.evidence


def test_a_look_alike_without_the_release_does_not_make_it_ambiguous() -> None:
    fixed = (
        "In Quill before 8.1.0, PcxUnpack has a 2-byte buffer over-read when unpacking crafted "
        "PCX files because the plane counts are trusted by the scanline bookkeeping, which "
        "believes the header of the file."
    )
    older = (
        "In quill/PcxUnpack.c through 7.0.0, out-of-bounds reads exist in the unpacking of PCX "
        "images: the pixel loop copies runs without comparing them to the width of the "
        "destination row, reported with a proof of concept image from a fuzzer."
    )
    store = _store(
        ("fixed", fixed, ("8.1.0",)),
        ("older", older, ()),
        ("b0", "Quill before 8.1.0 mishandles TIFF tags.", ("8.1.0",)),
        ("b1", "Quill before 7.2.0 leaks memory in PNG chunks.", ("7.2.0",)),
    )
    # Both explain every word of the notice, and they are distinct from each other; only
    # "fixed" also names its release.
    query = "Quill 8.1.0 includes a fix for PCX unpack buffer overrun."
    decision = decide(features(doc("q", "quill", query, ("8.1.0",))), store)
    assert decision.duplicate_of == "fixed"


def test_a_misspelt_rare_word_is_the_same_word() -> None:
    query = "Tensorkit 2.5.0 fixes an integer overflow in TKLite synchronisation."
    right = "The TKLite implementation of synchronization is vulnerable to an integer overflow."
    other = "The TKLite code for allocating arrays is vulnerable to an integer overflow."
    assert _signals(query, right, other).query_cover > _signals(query, other, right).query_cover
    # Same first letters and at most two edits apart; a prefix makes another word.
    assert _misspelt({"w:authentif": 1.0}, {"w:authent": 1.0}) == [("w:authentif", "w:authent")]
    assert _misspelt({"w:serialization": 1.0}, {"w:deserialization": 1.0}) == []
    assert _misspelt({"w:allocation": 1.0}, {"w:allegation": 1.0}) == []
    assert not _within_two_edits("tokenization", "organization")
    # Names that differ by a digit are different names, not typos.
    assert _misspelt({"w:conv2dfilter": 1.0}, {"w:conv3dfilter": 1.0}) == []
    assert _misspelt({"w:parser_part_1": 1.0}, {"w:parser_part_2": 1.0}) == []
