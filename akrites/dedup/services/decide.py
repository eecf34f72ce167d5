"""Deciding incoming reports against the shared index, then indexing them.

Two steps inside the intake's transaction (intake asks through its hooks, ``intake.hooks``,
which ``services.intake`` provides)::

    results = dedup_decide_batch(items=[DedupItem.from_parsed(...), ...])   # reads only
    ... the intake stores reports, opens cases for "new", joins cases for "duplicate" ...
    dedup_index_batch(entries=[res.entry(report) for res, report in ...])   # writes

``dedup_decide_batch`` takes a fixed number of queries whatever the batch size (about seven;
rare extra reads when an earlier item of the batch reshuffles a later one's candidates) and
decides items in order, each seeing the earlier ones, so ten copies of one bug in one batch
become one new report and nine duplicates of it. On PostgreSQL it takes a transaction-scoped
advisory lock per package family, held until commit, so two concurrent batches cannot both
call the same new bug "new"; on SQLite every write transaction is already exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection

from akrites.cases.models import Case, Status
from akrites.dedup.docs import doc_from_parsed
from akrites.dedup.engine import DEFAULT_CONFIG, Config, Doc, Features, choose, features, gather
from akrites.dedup.hashing import Hasher
from akrites.dedup.models import EntryKind
from akrites.dedup.store import DbStore, EntryInfo
from akrites.dedup.writer import IndexEntry, write_entries
from akrites.intake.hooks import DedupVerdict, VerdictKind

if TYPE_CHECKING:
    from akrites.dedup.engine import Decision
    from akrites.dedup.engine.signals import Signals
    from akrites.intake.models import Report
    from akrites.intake.parsers import ParsedReport

ResultKind = VerdictKind
_PG_LOCK_CLASS = 0x414B5202  # "AKR" + 2: dedup's advisory-lock namespace (audit uses 0x41…01)


class DedupOutsideTransaction(RuntimeError):
    """Decide and index must run inside the intake's transaction (the locks live there)."""


@dataclass(frozen=True)
class DedupItem:
    """One incoming report: its key (public id), the engine's view of it, its project."""

    key: str
    doc: Doc
    project_id: int | None = None

    @classmethod
    def from_parsed(
        cls, *, key: str, parsed: ParsedReport, project_id: int | None = None
    ) -> DedupItem:
        return cls(key=key, doc=doc_from_parsed(key, parsed), project_id=project_id)


@dataclass(frozen=True)
class DedupResult(DedupVerdict):
    """The decision for one item: intake's ``DedupVerdict`` (its fields are documented
    there; ``related`` includes other projects' look-alikes) plus the item's features, which
    ``entry`` hands to the index writer."""

    features: Features | None = field(default=None, repr=False, compare=False)

    def entry(self, report: Report | None) -> IndexEntry:
        """What ``dedup_index_batch`` needs to add this item (``report`` saved, with its pk)."""
        assert self.features is not None
        return IndexEntry(
            key=self.key,
            features=self.features,
            report=report,
            decision=self.kind,
            matched_key=self.duplicate_of or self.advisory_id or "",
        )


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise DedupOutsideTransaction("dedup runs inside the intake's transaction")


def _lock_families(hasher: Hasher, blocks: set[str]) -> None:
    if connection.vendor != "postgresql" or not blocks:
        return
    # Sorted, so two batches always lock shared families in the same order (no deadlock).
    keys = sorted({int.from_bytes(hasher.family(b).to_bytes(8, "big", signed=True)[4:], "big",
                                  signed=True) for b in blocks})  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_advisory_xact_lock(%s, k) FROM (SELECT unnest(%s::int[]) AS k ORDER BY k) s",
            [_PG_LOCK_CLASS, keys],
        )


def dedup_decide_batch(
    *, items: list[DedupItem], config: Config = DEFAULT_CONFIG
) -> list[DedupResult]:
    """Decide every item against the index and the batch's earlier items; writes nothing.

    Guarantees: one result per item, in order; never raises on report content (hostile,
    empty or huge reports get a decision in bounded time); a duplicate is always in the same
    package and, when both projects are known, the same project (another project's match is
    only ``related``). Raises ``DedupOutsideTransaction`` outside ``transaction.atomic``,
    ``ValueError`` for repeated keys, ``IndexKeyMismatch`` if the index key changed.
    """
    _require_transaction()
    if not items:
        return []
    if len({item.key for item in items}) != len(items):
        raise ValueError("item keys must be unique within a batch")
    feats = [features(item.doc) for item in items]
    store = DbStore()
    _lock_families(store.hasher, {f.block for f in feats})
    store.prefetch(feats, limit=config.candidate_limit)
    decided: list[tuple[DedupItem, Features, Decision, list[tuple[str, Signals]]]] = []
    for item, feat in zip(items, feats, strict=True):
        compared, weights = gather(feat, store, limit=config.candidate_limit)
        decision = choose(feat, compared, weights, config=config)
        decided.append((item, feat, decision, [(k, s) for k, _, s in compared]))
        store.add(item.key, feat, project_id=item.project_id)
    keys = [k for _, _, d, _ in decided for k in (d.duplicate_of, *(r for r, _ in d.related)) if k]
    cases = _cases(store, keys)
    results: dict[str, DedupResult] = {}
    for row in decided:
        results[row[0].key] = _result(store, cases, results, *row)
    return list(results.values())


def _cases(store: DbStore, keys: list[str]) -> dict[int, Case]:
    """Cases of the matched and related stored reports (two queries at most).

    A case merged away (status duplicate) gives way to the case it was merged into.
    """
    ids = {store.info(k).case_id for k in keys} - {None}
    if not ids:
        return {}
    cases = Case.objects.select_related("project").in_bulk(ids)
    targets = {c.duplicate_of_id for c in cases.values() if c.status == Status.DUPLICATE}
    resolved = Case.objects.select_related("project").in_bulk(targets - {None}) if targets else {}
    return {
        pk: resolved.get(c.duplicate_of_id, c) if c.duplicate_of_id else c
        for pk, c in cases.items()
    }


def _result(
    store: DbStore,
    cases: dict[int, Case],
    earlier: dict[str, DedupResult],
    item: DedupItem,
    feat: Features,
    decision: Decision,
    compared: list[tuple[str, Signals]],
) -> DedupResult:
    related = list(decision.related)

    def make(kind: ResultKind, evidence: list[str], **extra: object) -> DedupResult:
        return DedupResult(
            key=item.key, kind=kind, score=decision.score, evidence=evidence,
            related=_related(store, cases, related), features=feat,
            **extra,  # type: ignore[arg-type]
        )  # fmt: skip

    if decision.duplicate_of is not None:
        info = store.info(decision.duplicate_of)
        if info.kind == EntryKind.ADVISORY:
            return make("already_public", decision.evidence, advisory_id=info.advisory_id)
        first = earlier.get(info.key)  # an earlier item of this batch: follow its outcome
        if first is not None and first.kind == "already_public":
            return make("already_public", decision.evidence, advisory_id=first.advisory_id)
        case = first.case if first else cases.get(info.case_id) if info.case_id else None
        project = case.project_id if case else info.project_id
        if project is None or item.project_id is None or project == item.project_id:
            return make("duplicate", decision.evidence, case=case, duplicate_of=info.key)
        # Forks and vendored copies: offered to the SIRT, never merged silently.
        related.insert(0, (info.key, decision.score))
        return make("new", ["other-project", *decision.evidence])
    public = _alias_match(store, feat, compared)
    if public is not None:
        evidence = ["identifier-match", *decision.evidence]
        return make("already_public", evidence, advisory_id=public.advisory_id)
    return make("new", decision.evidence)


def _alias_match(
    store: DbStore, feat: Features, compared: list[tuple[str, Signals]]
) -> EntryInfo | None:
    """An advisory named by id in a report that names no other package is already public.

    The engine requires the same package for a duplicate (and the advisory import files one
    entry per affected package); a report without a package that quotes an advisory's id or
    alias, or an advisory that names no package, is the exception.
    """
    for key, sig in compared:
        info = store.info(key)
        if info.kind != EntryKind.ADVISORY or not sig.shared_ids:
            continue
        if feat.package is None or store.features_of(key).package is None:
            return info
    return None


def _related(
    store: DbStore, cases: dict[int, Case], related: list[tuple[str, float]]
) -> list[tuple[str, float]]:
    """Related keys as the SIRT names them: case id, advisory id, else report key."""
    out: dict[str, float] = {}
    for key, score in related:
        info = store.info(key)
        case = cases.get(info.case_id) if info.case_id else None
        if case is not None:
            label = case.human_id
        elif info.kind == EntryKind.ADVISORY:
            label = info.advisory_id
        else:
            label = info.key
        out.setdefault(label, score)
    return list(out.items())


def dedup_index_batch(*, entries: list[IndexEntry]) -> None:
    """Add decided (or imported) items to the shared index, in the caller's transaction.

    Index every decided item, duplicates included: the next duplicate may match any copy.
    Raises ``IntegrityError`` if a key is already indexed.
    """
    _require_transaction()
    write_entries(entries, Hasher())
