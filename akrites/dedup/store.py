"""``DbStore``: the engine's ``CandidateStore`` over the database index, with a batch overlay.

Reads are bounded exactly as ``InMemoryStore``'s: only the postings of the query's own tokens,
none whose list is longer than ``POSTING_CAP`` (the counter table says how long a list is
before it is read), the lists ``lists_to_read`` allows, at most ``limit`` candidates whose
features are loaded. Ranking and tie-breaking follow ``InMemoryStore`` step by step, so a
decision over the database is the same as over memory.

For a batch, ``prefetch`` loads in a fixed number of queries everything the batch's decisions
will need; ``add`` then puts each decided item in an in-memory overlay (counters, posting
lists, features) so that a later item of the same batch can duplicate an earlier one.
Anything the overlay makes necessary that was not prefetched (rare: an earlier item of the
batch reshuffles the rarest lists of a later one) is read on demand, so results never depend
on the batch size. Writing is separate (``index_entries``), after the intake has its rows.
"""

from __future__ import annotations

import dataclasses
import heapq
import json
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import cast

from akrites.dedup import sql
from akrites.dedup.engine import CorpusStats, Features
from akrites.dedup.engine.index import POSTING_CAP, lists_to_read, token_weight
from akrites.dedup.hashing import Hasher
from akrites.dedup.models import DedupEntry

PREFETCH_SLACK = 32  # extra rare lists read per item of a multi-item batch (see module doc)


class IndexKeyMismatch(RuntimeError):
    """The index holds entries but none of the counters this process's key names."""


def dump_features(feats: Features) -> str:
    """JSON for ``Features.from_json``, keeping the order of ``terms``.

    ``Features.to_json`` sorts keys; the engine's cosine sums terms in dict order, and floating
    point addition is not associative, so keeping extraction order makes a stored report score
    bit for bit as the in-memory store's copy does.
    """
    return json.dumps(dataclasses.asdict(feats), separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """What a decision needs to know about a matched entry besides its features."""

    key: str
    kind: str
    advisory_id: str = ""
    report_id: int | None = None
    case_id: int | None = None
    project_id: int | None = None
    stored: bool = True  # False for an earlier item of the current batch


def increments(hasher: Hasher, feats: Features) -> Counter[int]:
    """Counter deltas for adding ``feats`` (as ``InMemoryStore.add`` counts)."""
    out: Counter[int] = Counter(hasher.postings(feats.index_tokens()))
    counted = set(feats.counted_tokens())
    out.update(hasher.many("d", "", counted))
    out.update(hasher.many("b", feats.block, counted))
    out[hasher.block_count(feats.block)] += 1
    out[hasher.total()] += 1
    return out


Chosen = list[tuple[int, str, str, int]]  # (list length, scope, token, posting hash)


class DbStore:
    """``CandidateStore`` reading the shared index; ``add`` only touches the batch overlay."""

    def __init__(self, hasher: Hasher | None = None) -> None:
        self.hasher = hasher or Hasher()
        self._counts: dict[int, int] = {}  # counter values as read from the database
        self._lists: dict[int, list[int]] = {}  # posting hash -> entry ids
        self._keys: dict[int, str] = {}  # entry id -> key
        self._ids: dict[str, int] = {}
        self._features: dict[str, Features] = {}
        self._info: dict[str, EntryInfo] = {}
        self._delta: Counter[int] = Counter()  # the overlay's counter increments
        self._overlay: defaultdict[int, list[str]] = defaultdict(list)
        self._checked = False

    # -- the CandidateStore protocol ------------------------------------------------------

    def add(self, key: str, features: Features, *, project_id: int | None = None) -> None:
        """Add to the overlay (later decisions of this batch see it); nothing is written."""
        if key in self._features or key in self._ids:
            raise ValueError(f"key already in the batch or the index: {key}")
        self._delta.update(increments(self.hasher, features))
        for h in self.hasher.postings(features.index_tokens()):
            self._overlay[h].append(key)
        self._features[key] = features
        self._info[key] = EntryInfo(key=key, kind="report", project_id=project_id, stored=False)

    def candidates(self, features: Features, limit: int) -> list[tuple[str, Features]]:
        chosen = self._chosen(features, 0)
        self._ensure_lists(h for *_, h in chosen)
        ranked = self._rank(*self._votes(chosen), limit)
        self._ensure_features(ranked)
        return [(key, self._features[key]) for key in ranked]

    def stats(self, tokens: Collection[str], *, block: str) -> CorpusStats:
        h, tokens = self.hasher, list(tokens)
        df_keys, block_keys = h.many("d", "", tokens), h.many("b", block, tokens)
        totals = [h.block_count(block), h.total()]
        self._ensure_counts([*df_keys, *block_keys, *totals])
        self._check_key()
        return CorpusStats(
            n_docs=self.count(totals[1]),
            n_block=self.count(totals[0]),
            df={t: n for t, k in zip(tokens, df_keys, strict=True) if (n := self.count(k)) > 0},
            block_df={
                t: n for t, k in zip(tokens, block_keys, strict=True) if (n := self.count(k)) > 0
            },
        )

    # -- batch support ---------------------------------------------------------------------

    def prefetch(self, queries: list[Features], *, limit: int) -> None:
        """Load what deciding ``queries`` (in order, nothing added yet) needs: five queries."""
        h = self.hasher
        keys: set[int] = {h.total()}
        for f in queries:
            keys.update(h.postings(f.index_tokens()))
            counted = f.counted_tokens()
            keys.update(h.many("d", "", counted))
            keys.update(h.many("b", f.block, counted))
            keys.add(h.block_count(f.block))
        self._ensure_counts(keys)
        slack = PREFETCH_SLACK if len(queries) > 1 else 0
        chosen = [self._chosen(f, slack) for f in queries]
        self._ensure_lists(hh for c in chosen for *_, hh in c)
        votes = [self._votes(c[: lists_to_read([n for n, *_ in c])])[0] for c in chosen]
        self._ensure_keys({i for v in votes for i in _top(v, 2 * limit)})
        tops = [
            [k for _, k in sorted((-s, self._keys[i]) for i, s in v.items() if i in self._keys)]
            for v in votes
        ]
        self._ensure_features([k for top in tops for k in top[:limit]])
        more: set[int] = set()
        for f, top in zip(queries, tops, strict=True):
            for key in top[:limit]:
                counted = self._features[key].counted_tokens()
                more.update(h.many("d", "", counted))
                more.update(h.many("b", f.block, counted))
        self._ensure_counts(more)

    def count(self, key: int) -> int:
        return self._counts.get(key, 0) + self._delta.get(key, 0)

    def features_of(self, key: str) -> Features:
        """Features of a key returned by ``candidates``."""
        return self._features[key]

    def info(self, key: str) -> EntryInfo:
        """Entry facts of a key returned by ``candidates`` (stored or in the overlay)."""
        return self._info[key]

    # -- internals -------------------------------------------------------------------------

    def _chosen(self, features: Features, extra: int) -> Chosen:
        pairs = features.index_tokens()
        hashes = self.hasher.postings(pairs)
        self._ensure_counts(hashes)
        sized = []
        for (scope, token), h in zip(pairs, hashes, strict=True):
            n = self.count(h)
            if 0 < n <= POSTING_CAP:
                sized.append((n, scope, token, h))
        sized.sort(key=lambda item: (item[0], item[1], item[2]))
        return sized[: lists_to_read([n for n, *_ in sized]) + extra]

    def _votes(self, chosen: Chosen) -> tuple[dict[int, float], dict[str, float]]:
        stored: defaultdict[int, float] = defaultdict(float)
        overlay: defaultdict[str, float] = defaultdict(float)
        for n, scope, token, h in chosen:
            weight = token_weight(scope, token, n)
            for entry_id in self._lists.get(h, ()):
                stored[entry_id] += weight
            for key in self._overlay.get(h, ()):
                overlay[key] += weight
        return stored, overlay

    def _rank(self, stored: dict[int, float], overlay: dict[str, float], limit: int) -> list[str]:
        """Top ``limit`` voters by (-votes, key), reading keys only of voters that may rank."""
        while True:
            known = [(-v, self._keys[i]) for i, v in stored.items() if i in self._keys]
            known += [(-v, k) for k, v in overlay.items()]
            unknown = {i: v for i, v in stored.items() if i not in self._keys}
            if not unknown:
                break
            if len(known) >= limit:
                cutoff = -heapq.nsmallest(limit, known)[-1][0]
                need = [i for i, v in unknown.items() if v >= cutoff]
            else:
                need = _top(unknown, limit - len(known))
            if not need:
                break
            self._ensure_keys(need)
        return [key for _, key in heapq.nsmallest(limit, known)]

    def _ensure_counts(self, keys: Iterable[int]) -> None:
        missing = {k for k in keys if k not in self._counts}
        if missing:
            found = sql.read_counters(missing)
            self._counts.update({k: found.get(k, 0) for k in missing})

    def _ensure_lists(self, hashes: Iterable[int]) -> None:
        # A list the database has no counter for is empty there: no need to ask.
        missing = {h for h in hashes if h not in self._lists and self._counts.get(h, 0) > 0}
        if missing:
            for h in missing:
                self._lists[h] = []
            for h, entry_id in sql.read_postings(missing):
                self._lists[h].append(entry_id)

    def _ensure_keys(self, ids: Iterable[int]) -> None:
        missing = {i for i in ids if i not in self._keys}
        if missing:
            rows = DedupEntry.objects.filter(pk__in=sql.id_subquery(missing)).values_list(
                "id", "key"
            )
            for entry_id, key in rows:
                self._keys[entry_id] = key
                self._ids[key] = entry_id

    def _ensure_features(self, keys: Iterable[str]) -> None:
        ids = {self._ids[k] for k in keys if k not in self._features}
        if not ids:
            return
        rows = DedupEntry.objects.filter(pk__in=sql.id_subquery(ids)).values_list(
            "key", "kind", "advisory_id", "report_id", "report__case_id",
            "report__case__project_id", "features",
        )  # fmt: skip
        for key, kind, advisory_id, report_id, case_id, project_id, data in rows:
            self._features[key] = Features.from_json(cast(str, data))  # decrypted text
            self._info[key] = EntryInfo(key, kind, advisory_id, report_id, case_id, project_id)

    def _check_key(self) -> None:
        if self._checked:
            return
        self._checked = True
        if self._counts.get(self.hasher.total(), 0) == 0 and DedupEntry.objects.exists():
            raise IndexKeyMismatch(
                "the dedup index has entries but no counters under this index key: "
                "AKRITES_DEDUP_INDEX_KEY (or var/dedup_index_key) differs from the one that "
                "built the index"
            )


def _top(votes: dict[int, float], n: int) -> list[int]:
    """Ids whose vote is at least the ``n``-th largest (ties included)."""
    if len(votes) <= n:
        return list(votes)
    cutoff = heapq.nlargest(n, votes.values())[-1]
    return [i for i, v in votes.items() if v >= cutoff]
