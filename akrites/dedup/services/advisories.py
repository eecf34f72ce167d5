"""Importing published advisories (OSV) into the index, so reports of known bugs are spotted.

Advisories are public, but their features go into the same encrypted field as reports' (one
format, one code path). Re-importing an advisory replaces its entries (same OSV id, same
keys); an unchanged advisory is left alone; a withdrawn one is removed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from akrites.access.policy import require
from akrites.audit.services import audit_append
from akrites.core.actors import Actor
from akrites.dedup.docs import docs_from_osv
from akrites.dedup.engine import FEATURES_VERSION, features
from akrites.dedup.hashing import Hasher
from akrites.dedup.models import DedupEntry, EntryKind
from akrites.dedup.store import dump_features
from akrites.dedup.writer import IndexEntry, delete_entries, write_entries

# Importing advisories into the index and re-extracting it are operator tasks. Until policy has
# a dedicated "dedup.admin" action, they are guarded like the admin site: SIRT and host
# operators only.
INDEX_ADMIN_ACTION = "admin.access"
MAX_ID = 100


@dataclass
class ImportCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0


def osv_id_of(advisory: Mapping[str, Any]) -> str | None:
    """The advisory's id if it is usable as one (a short non-empty string)."""
    value = advisory.get("id")
    if isinstance(value, str) and 0 < len(value.strip()) <= MAX_ID:
        return value.strip()
    return None


@transaction.atomic
def advisories_import(*, actor: Actor, advisories: Sequence[Mapping[str, Any]]) -> ImportCounts:
    """Add or update OSV advisories (already parsed JSON objects with a valid ``id``).

    Guarantees: idempotent per OSV id; a fixed number of queries per call plus Django's
    bulk-insert batches. Raises NotFound/PermissionDenied (policy), ValueError for an
    advisory without a usable id (callers validate first).
    """
    require(actor, INDEX_ADMIN_ACTION)
    by_id: dict[str, Mapping[str, Any]] = {}
    for advisory in advisories:
        osv_id = osv_id_of(advisory)
        if osv_id is None:
            raise ValueError("advisory without a usable id")
        by_id[osv_id] = advisory  # the last copy of an id wins, as a later file would
    counts = ImportCounts()
    if not by_id:
        return counts
    hasher = Hasher()
    existing: dict[str, list[DedupEntry]] = {}
    for entry in DedupEntry.objects.filter(kind=EntryKind.ADVISORY, advisory_id__in=list(by_id)):
        existing.setdefault(entry.advisory_id, []).append(entry)
    stale: list[DedupEntry] = []
    fresh: list[IndexEntry] = []
    for osv_id, advisory in by_id.items():
        old = existing.get(osv_id, [])
        if advisory.get("withdrawn"):
            counts.withdrawn += bool(old)
            stale.extend(old)
            continue
        new = [
            IndexEntry(key=d.key, features=features(d), kind=EntryKind.ADVISORY, advisory_id=osv_id)
            for d in docs_from_osv(advisory)
        ]
        same = all(e.features_version == FEATURES_VERSION for e in old) and sorted(
            (e.key, e.features) for e in old
        ) == sorted((n.key, dump_features(n.features)) for n in new)
        if same:
            counts.unchanged += 1
            continue
        counts.updated += bool(old)
        counts.added += not old
        stale.extend(old)
        fresh.extend(new)
    delete_entries(stale, hasher)
    write_entries(fresh, hasher)
    audit_append(
        actor=actor,
        action="dedup.import_advisories",
        object_type="advisory_index",
        object_id="osv",
        data={"added": counts.added, "updated": counts.updated, "withdrawn": counts.withdrawn},
    )
    return counts
