"""Features serialisation and the in-memory store."""

from __future__ import annotations

import pytest

from akrites.dedup.engine import GLOBAL, Doc, Features, InMemoryStore, features
from akrites.dedup.engine.index import MAX_QUERY_TOKENS, POSTING_BUDGET, lists_to_read


def _doc() -> Doc:
    return Doc(
        key="a",
        package="quillweb",
        ecosystem="PyPI",
        text="Open redirect in `login_view` of quillweb before 1.5.0, see CVE-2031-0003.\n"
        "    #0 0x1 in handle_login /src/login.c:3",
        references=("https://github.com/q/quillweb/pull/12",),
        fingerprints=("hash:1",),
        affected=(("0", "1.5.0", None),),
        fixed_versions=("1.5.0",),
        cwes=("CWE-601",),
    )


def test_features_round_trip_through_json() -> None:
    feats = features(_doc())
    assert Features.from_json(feats.to_json()) == feats


def test_features_are_deterministic() -> None:
    assert features(_doc()).to_json() == features(_doc()).to_json()


def test_identity_tokens_are_posted_globally() -> None:
    pairs = features(_doc()).index_tokens()
    assert (GLOBAL, "i:CVE-2031-0003") in pairs
    assert (GLOBAL, "p:hash:1") in pairs
    assert (GLOBAL, "r:issue:quillweb#12") in pairs
    assert ("pypi/quillweb", "f:1.5") in pairs


def test_store_rejects_a_key_twice() -> None:
    store = InMemoryStore()
    store.add("a", features(_doc()))
    with pytest.raises(ValueError, match="already stored"):
        store.add("a", features(_doc()))


def test_stats_count_documents_globally_and_per_block() -> None:
    store = InMemoryStore()
    store.add("a", features(_doc()))
    store.add("b", features(Doc(key="b", package="other", text="open redirect")))
    stats = store.stats(["w:openredirect"], block="pypi/quillweb")
    assert (stats.n_docs, stats.n_block) == (2, 1)
    assert stats.df["w:openredirect"] == 2
    assert stats.block_df["w:openredirect"] == 1


def test_lists_to_read_stops_at_the_list_count_or_the_entry_budget() -> None:
    assert lists_to_read([1] * (MAX_QUERY_TOKENS + 10)) == MAX_QUERY_TOKENS
    assert lists_to_read([]) == 0
    assert lists_to_read([3, 5]) == 2
    big = POSTING_BUDGET // 4
    assert lists_to_read([1, big, big, big, big, big]) == 4  # the fifth big list overflows
    assert lists_to_read([POSTING_BUDGET + 1]) == 0
