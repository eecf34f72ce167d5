"""Re-extracting stored entries after the engine's feature extraction changed.

Entries remember the ``engine.FEATURES_VERSION`` that extracted them. When a release changes
extraction (a new stemmer, a new flaw class), entries of an older version hold tokens new
reports no longer produce, and duplicates of them are missed until they are re-extracted.

Reports are re-extracted from what intake stored (the normalised report, encrypted), in
batches, one transaction per batch, oldest first; an interrupted run resumes where it stopped
because finished entries carry the new version. Published advisories are not stored in full:
re-running ``akrites import-osv`` on the operator's OSV export replaces every advisory entry
whose features or version changed, and the counts here say how many wait for that.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from akrites.access.policy import require
from akrites.audit.services import audit_append
from akrites.core.actors import Actor
from akrites.dedup.docs import doc_from_parsed
from akrites.dedup.engine import FEATURES_VERSION, Features, features
from akrites.dedup.hashing import Hasher
from akrites.dedup.models import DedupEntry, EntryKind
from akrites.dedup.services.advisories import INDEX_ADMIN_ACTION
from akrites.dedup.writer import replace_features
from akrites.intake.parsers import ParsedReport

BATCH = 500


@dataclass
class ReindexCounts:
    reindexed: int = 0
    unreadable: int = 0  # reports whose stored form could not be read back (left as they were)
    advisories_stale: int = 0  # advisory entries waiting for a re-import


def stale_counts() -> dict[str, int]:
    """Entries extracted by an older engine version, per kind (for status and checks)."""
    stale = DedupEntry.objects.filter(features_version__lt=FEATURES_VERSION)
    return {
        "report": stale.filter(kind=EntryKind.REPORT).count(),
        "advisory": stale.filter(kind=EntryKind.ADVISORY).count(),
    }


def dedup_reindex(
    *,
    actor: Actor,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> ReindexCounts:
    """Re-extract every report entry older than ``FEATURES_VERSION``; returns the counts.

    ``progress(done, total)`` is called after each batch. A report whose stored form cannot be
    read back keeps its old entry (counted as ``unreadable``; it still matches on the tokens
    both versions share). Raises PermissionDenied/NotFound (policy).
    """
    require(actor, INDEX_ADMIN_ACTION)
    counts = ReindexCounts()
    pending = DedupEntry.objects.filter(
        kind=EntryKind.REPORT, features_version__lt=FEATURES_VERSION
    )
    total = pending.count()
    hasher = Hasher()
    after = 0
    while True:
        with transaction.atomic():
            rows = list(
                pending.filter(pk__gt=after)
                .select_related("report")
                .select_for_update(of=("self",))
                .order_by("pk")[:batch]
            )
            if not rows:
                break
            after = rows[-1].pk
            changes: list[tuple[DedupEntry, Features]] = []
            for entry in rows:
                parsed = _stored_report(entry)
                if parsed is None:
                    counts.unreadable += 1
                    continue
                changes.append((entry, features(doc_from_parsed(entry.key, parsed))))
            replace_features(changes, hasher)
            counts.reindexed += len(changes)
        if progress is not None:
            progress(counts.reindexed + counts.unreadable, total)
    counts.advisories_stale = stale_counts()["advisory"]
    if counts.reindexed or counts.unreadable:
        with transaction.atomic():
            audit_append(
                actor=actor,
                action="dedup.reindex",
                object_type="dedup_index",
                object_id=str(FEATURES_VERSION),
                data={"reindexed": counts.reindexed, "unreadable": counts.unreadable},
            )
    return counts


def _stored_report(entry: DedupEntry) -> ParsedReport | None:
    report = entry.report
    if report is None or not report.details:
        return None
    try:
        return ParsedReport.from_dict(json.loads(report.details))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
