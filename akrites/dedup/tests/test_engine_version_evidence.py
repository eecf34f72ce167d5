"""Version contradictions and code-name evidence (hand-written data only)."""

from __future__ import annotations

from akrites.dedup.engine import Doc, InMemoryStore, decide, features
from akrites.dedup.engine.versions import contradicts


def test_still_affected_after_the_other_reports_fix_contradicts() -> None:
    # "Through 2.1.26" cannot be the bug that "2.1.14" fixed.
    assert contradicts([("0", None, "2.1.26")], [("0", "2.1.14", None)])
    assert contradicts([("0", "2.1.14", None)], [("0", None, "2.1.26")])


def test_report_written_before_the_fix_does_not_contradict() -> None:
    assert not contradicts([("0", None, "7.0.0")], [("0", "8.1.0", None)])
    assert not contradicts([("0", None, "2.1.14")], [("0", "2.1.14", None)])


def test_other_release_lines_do_not_contradict() -> None:
    # A fix in the 5.5 line says nothing about a 6.0 pre-release.
    assert not contradicts([("6.0.0b1", None, "6.0.0b4")], [("5.0.0", "5.5.3", None)])
    # The point lies inside another branch's range of the other report.
    branches = [("0", "2.7.17", None), ("3.0", "3.5.8", None), ("3.7.0", "3.7.4", None)]
    assert not contradicts([("0", None, "3.7.3")], branches)


def test_unparseable_or_open_ranges_do_not_contradict() -> None:
    assert not contradicts([("0", None, "x.y")], [("0", "1.0", None)])
    assert not contradicts([("0", None, None)], [("0", "1.0", None)])
    assert not contradicts([], [("0", "1.0", None)])


def _doc(
    key: str, text: str, affected: tuple[tuple[str | None, str | None, str | None], ...]
) -> Doc:
    fixed = tuple(r[1] for r in affected if r[1])
    return Doc(
        key=key,
        package="acme-mail",
        ecosystem="PyPI",
        text=text,
        affected=affected,
        fixed_versions=fixed,
    )


def test_same_wording_with_contradicting_versions_is_not_merged() -> None:
    store = InMemoryStore()
    old = "Cross-site scripting in the acme-mail archive page lets users inject script via names."
    store.add("old", features(_doc("old", old, (("0", "2.1.14", None),))))
    for i in range(3):
        filler = f"Unrelated acme-mail issue number {i} in the {('smtp', 'imap', 'pop')[i]} code."
        store.add(f"f{i}", features(_doc(f"f{i}", filler, (("0", f"1.{i}", None),))))
    new = "Cross-site scripting in the acme-mail archive page lets users inject script via topics."
    later = decide(features(_doc("q", new, (("0", None, "2.1.26"),))), store)
    assert later.duplicate_of is None
    assert "versions:conflict" in later.evidence


def test_code_names_that_are_only_missing_paths_are_no_evidence() -> None:
    store = InMemoryStore()
    store.add(
        "old", features(_doc("old", "Endless loop in acme/zipper.py.", (("0", "1.2", None),)))
    )
    long = (
        "acme-mail before 1.2 loops forever in read_members() when a crafted archive declares a "
        "member size larger than the archive itself, so a remote sender can exhaust the CPU of "
        "the mail filter by attaching such an archive to any message that the filter scans."
    )
    decision = decide(features(_doc("q", long, (("0", "1.2", None),))), store)
    # The short report names only a file the long one leaves out: neither for nor against.
    assert not any(e.startswith("code-names") for e in decision.evidence)
