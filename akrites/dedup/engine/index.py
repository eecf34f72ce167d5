"""Candidate stores: the ``CandidateStore`` protocol and an in-memory implementation.

A store keeps, per report, its serialisable ``Features``, its ``(scope, token)`` postings and
document frequencies (global and per package family). Candidate generation is sub-linear: it
reads only the postings of the query's own tokens, skips tokens whose posting list is longer
than ``POSTING_CAP`` (they are boilerplate and could not discriminate anyway), reads at most
``MAX_QUERY_TOKENS`` lists holding at most ``POSTING_BUDGET`` entries in all, and returns at
most ``limit`` candidates. A database-backed store
implements the same protocol with (key, scope, token) rows and a (scope, token, df) table.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from akrites.dedup.engine.features import GLOBAL, Features

POSTING_CAP = 400  # longer posting lists are skipped: the token is too common to identify a bug
MAX_QUERY_TOKENS = 96  # rarest-first; bounds the reads per decision
# Entries read per decision, all lists together. Lists are taken rarest first, so the budget
# only drops the longest lists of a report from a crowded package: each of those is shared by
# hundreds of look-alikes and adds a vote of at most log(2) to each, against log(1 + 400) for a
# token only the true duplicate shares. Without it a report in a package with thousands of
# look-alikes reads up to 96 x 400 entries, and decision time grows with the package.
POSTING_BUDGET = 5 * POSTING_CAP


def lists_to_read(lengths: Sequence[int]) -> int:
    """How many of the posting lists (lengths in rarest-first order) one decision reads."""
    total = 0
    for i, n in enumerate(lengths):
        if i >= MAX_QUERY_TOKENS or total + n > POSTING_BUDGET:
            return i
        total += n
    return len(lengths)


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """Document frequencies for a set of tokens, globally and inside one block."""

    n_docs: int
    n_block: int
    df: dict[str, int]
    block_df: dict[str, int]


class CandidateStore(Protocol):
    """What ``decide`` needs from storage. Implementations must keep reads bounded."""

    def add(self, key: str, features: Features) -> None:
        """Store ``features`` under ``key`` and update postings and document frequencies."""

    def candidates(self, features: Features, limit: int) -> list[tuple[str, Features]]:
        """At most ``limit`` stored reports sharing rare tokens with ``features``, best first."""

    def stats(self, tokens: Collection[str], *, block: str) -> CorpusStats:
        """Document frequencies of ``tokens`` over all stored reports and inside ``block``."""


def token_weight(scope: str, token: str, posting_len: int) -> float:
    """Candidate-generation weight of one shared posting: identity tokens outrank words."""
    base = 4.0 if scope == GLOBAL and not token.startswith("k:") else 1.0
    if token.startswith("s:"):
        base = 2.0
    return base * math.log(1.0 + POSTING_CAP / max(1, posting_len))


class InMemoryStore:
    """Dict-backed ``CandidateStore`` for tests, benchmarks and single-process use."""

    def __init__(self) -> None:
        self._features: dict[str, Features] = {}
        self._postings: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        self._df: Counter[str] = Counter()
        self._block_df: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._block_n: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._features)

    def add(self, key: str, features: Features) -> None:
        if key in self._features:
            raise ValueError(f"key already stored: {key}")
        self._features[key] = features
        for pair in features.index_tokens():
            self._postings[pair].append(key)
        counted = set(features.counted_tokens())
        self._df.update(counted)
        self._block_df[features.block].update(counted)
        self._block_n[features.block] += 1

    def get(self, key: str) -> Features:
        return self._features[key]

    def candidates(self, features: Features, limit: int) -> list[tuple[str, Features]]:
        pairs = features.index_tokens()
        sized = []
        for scope, token in pairs:
            posting = self._postings.get((scope, token))
            if posting and len(posting) <= POSTING_CAP:
                sized.append((len(posting), scope, token, posting))
        sized.sort(key=lambda item: (item[0], item[1], item[2]))
        votes: defaultdict[str, float] = defaultdict(float)
        for length, scope, token, posting in sized[: lists_to_read([n for n, *_ in sized])]:
            weight = token_weight(scope, token, length)
            for key in posting:
                votes[key] += weight
        ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [(key, self._features[key]) for key, _ in ranked]

    def stats(self, tokens: Collection[str], *, block: str) -> CorpusStats:
        block_df = self._block_df.get(block, Counter())
        return CorpusStats(
            n_docs=len(self._features),
            n_block=self._block_n.get(block, 0),
            df={t: self._df[t] for t in tokens if t in self._df},
            block_df={t: block_df[t] for t in tokens if t in block_df},
        )
