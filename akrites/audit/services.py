"""Writing and verifying the audit chain.

``audit_append`` must run inside the transaction of the change it records, so the entry and
the change commit or roll back together. Appends are serialised so the chain never forks:
on PostgreSQL with a transaction-scoped advisory lock, on SQLite by the database's single
writer (every transaction is ``BEGIN IMMEDIATE``, see settings). The unique ``seq`` is the
last line of defence: a concurrent append that slipped through would fail, not fork.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from akrites.audit.models import AuditEntry
from akrites.core.actors import Actor, ReportLink, SystemActor
from akrites.core.clock import now
from akrites.core.errors import AkritesError

GENESIS = "0" * 64
# Arbitrary constant naming the audit chain's advisory lock on PostgreSQL.
_PG_LOCK_KEY = 0x414B52_0001


class AuditOutsideTransaction(AkritesError):
    code = "audit_outside_transaction"
    http_status = 500


def _canonical(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
    prev_hash: str,
) -> bytes:
    doc = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "data": data,
        "prev_hash": prev_hash,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(
        _canonical(
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            data=entry.data,
            prev_hash=entry.prev_hash,
        )
    ).hexdigest()


def actor_fields(actor: Actor | None) -> tuple[int | None, str]:
    """(id, label) for a user, or (None, label) for a system component."""
    if isinstance(actor, SystemActor | ReportLink):
        return None, actor.get_username()
    if actor is None or not actor.is_authenticated:
        return None, "anonymous"
    if actor.pk is None:
        raise ValueError("an unsaved user cannot act")  # int(None) refused it before, too
    return actor.pk, actor.get_username()


@dataclass(frozen=True)
class AuditEvent:
    actor: Actor
    action: str
    object_type: str
    object_id: str
    data: dict[str, Any] | None = None


def audit_append(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Raises ``AuditOutsideTransaction`` outside ``atomic``."""
    return audit_append_many([AuditEvent(actor, action, object_type, str(object_id), data)])[0]


def audit_append_many(events: list[AuditEvent]) -> list[AuditEntry]:
    """Append several entries in order with one read of the chain's head and one INSERT.

    Same contract as ``audit_append``; used by bulk intake so the number of queries does not
    grow with the batch.
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction("audit entries are written inside the change's transaction")
    if not events:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS)
    at = now()
    entries = []
    for event in events:
        actor_id, actor_label = actor_fields(event.actor)
        seq += 1
        # Round-trip data through JSON so the hash covers exactly what the database returns.
        clean = json.loads(json.dumps(event.data or {}, sort_keys=True, default=str))
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            data=clean,
            prev_hash=prev_hash,
        )
        entry.hash = prev_hash = _entry_hash(entry)
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries)
    return entries


@dataclass(frozen=True)
class Anchor:
    """A point of the chain vouched for elsewhere (a signed checkpoint): entry ``seq`` had
    ``head`` as its hash. ``seq`` 0 is the empty chain (``GENESIS``)."""

    seq: int
    head: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""
    # The last entry verified (seq 0 / GENESIS for an empty chain); set when ``ok``.
    head: Anchor | None = None
    # The chain ends before the checkpoint: a cut tail, or a restore of an older backup.
    behind: bool = False


def _iter_entries(*, after: int = 0, batch: int = 2000) -> Iterator[AuditEntry]:
    last = after
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def _walk(*, start: Anchor, anchor: Anchor | None) -> VerifyResult:
    expected_seq, prev_hash, checked = start.seq + 1, start.head, 0
    for entry in _iter_entries(after=start.seq):
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, entry.seq, f"expected seq {expected_seq}")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, checked, entry.seq, "previous-hash link broken")
        if _entry_hash(entry) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "entry content changed")
        if anchor is not None and entry.seq == anchor.seq and entry.hash != anchor.head:
            return VerifyResult(
                False, checked, entry.seq, "entry does not match the checkpoint (chain rewritten)"
            )
        checked += 1
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    last = expected_seq - 1
    if anchor is not None and last < anchor.seq:
        return _behind(last, anchor, checked)
    return VerifyResult(True, checked, head=Anchor(last, prev_hash))


def _behind(last: int, anchor: Anchor, checked: int) -> VerifyResult:
    reason = (
        f"chain ends at seq {last}, before checkpoint seq {anchor.seq} "
        "(entries were cut from the tail)"
    )
    return VerifyResult(False, checked, last + 1, reason, behind=True)


def audit_verify(*, anchor: Anchor | None = None) -> VerifyResult:
    """Walk the chain in ``seq`` order and report the first broken link.

    With ``anchor`` (the newest signed checkpoint) the chain must also contain the anchored
    entry with the anchored hash, and must not end before it: this is what detects a cut
    tail, or a table replaced by a shorter (or re-hashed) chain that is valid on its own.
    """
    return _walk(start=Anchor(0, GENESIS), anchor=anchor)


def audit_verify_since(anchor: Anchor) -> VerifyResult:
    """Verify only what was appended after ``anchor``: the anchored entry must still be there,
    unchanged, and every later entry must link back to it. ``checked`` counts the later
    entries. Cheap enough to run before every checkpoint."""
    if anchor.seq > 0:
        entry = AuditEntry.objects.filter(seq=anchor.seq).first()
        if entry is None:
            last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
            if last < anchor.seq:
                return _behind(last, anchor, 0)
            return VerifyResult(False, 0, anchor.seq, "the checkpointed entry is missing")
        if entry.hash != anchor.head or _entry_hash(entry) != entry.hash:
            return VerifyResult(
                False, 0, anchor.seq, "entry does not match the checkpoint (chain rewritten)"
            )
    elif anchor.head != GENESIS:
        return VerifyResult(False, 0, 0, "checkpoint of the empty chain has a wrong hash")
    return _walk(start=anchor, anchor=None)
