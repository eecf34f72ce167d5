"""Writing the shared index: entries, postings and counters, in bulk.

Only the dedup services call these (inside the caller's transaction). Counters are added in the
database (``sql.add_counters``), never read-modified-written, so concurrent batches cannot lose
increments.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from akrites.dedup import sql
from akrites.dedup.engine import FEATURES_VERSION, Features
from akrites.dedup.hashing import Hasher
from akrites.dedup.models import DedupEntry, DedupPosting, EntryKind
from akrites.dedup.store import dump_features, increments

if TYPE_CHECKING:
    from akrites.intake.models import Report


@dataclass(frozen=True)
class IndexEntry:
    """One report or advisory to add to the index.

    ``decision`` and ``matched_key`` record what dedup decided when the report arrived (kept
    so a later SIRT split can label the exact pair that was wrongly merged).
    """

    key: str
    features: Features
    kind: str = EntryKind.REPORT
    report: Report | None = None
    advisory_id: str = ""
    decision: str = ""
    matched_key: str = ""


def write_entries(entries: list[IndexEntry], hasher: Hasher) -> list[DedupEntry]:
    """Insert entries, their postings and counter increments (three statements + batches).

    Raises ``IntegrityError`` if a key is already indexed.
    """
    if not entries:
        return []
    rows = [
        DedupEntry(
            key=e.key,
            kind=e.kind,
            report=e.report,
            advisory_id=e.advisory_id,
            block_hash=hasher.family(e.features.block),
            features=dump_features(e.features),
            features_version=FEATURES_VERSION,
            decision=e.decision,
            matched_key=e.matched_key,
        )
        for e in entries
    ]
    DedupEntry.objects.bulk_create(rows)
    postings: list[tuple[int, int]] = []
    deltas: Counter[int] = Counter()
    for row, entry in zip(rows, entries, strict=True):
        assert row.pk is not None  # bulk_create returns ids on PostgreSQL and SQLite >= 3.35
        postings.extend((h, row.pk) for h in hasher.postings(entry.features.index_tokens()))
        deltas.update(increments(hasher, entry.features))
    sql.insert_postings(postings)
    sql.add_counters(deltas)
    return rows


def delete_entries(entries: list[DedupEntry], hasher: Hasher) -> None:
    """Remove entries and take their contributions off the counters."""
    if not entries:
        return
    deltas: Counter[int] = Counter()
    for entry in entries:
        deltas.subtract(increments(hasher, Features.from_json(entry.features)))
    ids = [e.pk for e in entries]
    DedupPosting.objects.filter(entry_id__in=ids).delete()
    DedupEntry.objects.filter(pk__in=ids).delete()
    sql.add_counters(deltas)


def replace_features(changes: list[tuple[DedupEntry, Features]], hasher: Hasher) -> None:
    """Give entries newly extracted features, in place (same rows, keys and history).

    Postings are rewritten and counters moved by the difference, so the index ends exactly as
    if the entries had been written with the new features.
    """
    if not changes:
        return
    deltas: Counter[int] = Counter()
    postings: list[tuple[int, int]] = []
    for entry, new in changes:
        deltas.subtract(increments(hasher, Features.from_json(entry.features)))
        deltas.update(increments(hasher, new))
        entry.features = dump_features(new)
        entry.features_version = FEATURES_VERSION
        entry.block_hash = hasher.family(new.block)
        postings.extend((h, entry.pk) for h in hasher.postings(new.index_tokens()))
    ids = [entry.pk for entry, _ in changes]
    DedupPosting.objects.filter(entry_id__in=ids).delete()
    DedupEntry.objects.bulk_update(
        [entry for entry, _ in changes], ["features", "features_version", "block_hash"]
    )
    sql.insert_postings(postings)
    sql.add_counters(deltas)
