"""The database store: same answers as the engine's in-memory store, bounded reads, batches."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from akrites.dedup import sql
from akrites.dedup.engine import Doc, InMemoryStore, features
from akrites.dedup.engine.index import POSTING_BUDGET, POSTING_CAP
from akrites.dedup.hashing import Hasher
from akrites.dedup.models import DedupCounter, DedupEntry, DedupLabel, DedupPosting
from akrites.dedup.services import DedupItem, IndexEntry, dedup_decide_batch, dedup_index_batch
from akrites.dedup.store import DbStore, IndexKeyMismatch
from akrites.dedup.tests.dedup_cast import parsed, submit

pytestmark = pytest.mark.django_db

FLAWS = ["reads out of bounds", "divides by zero", "loops forever", "leaks memory"]


def _doc(i: int, package: str = "acme-flow", **extra: Any) -> Doc:
    text = (
        f"AcmeFlow is a workflow engine for data pipelines. In affected versions the "
        f"`op_{i % 7}_{i}` operator in acme/ops_{i % 5}.py {FLAWS[i % 4]} when batch {i} "
        f"is truncated."
    )
    return Doc(key=f"k{i}", package=package, ecosystem="PyPI", text=text,
               fixed_versions=(f"4.{i % 9}.{i % 4}",), **extra)  # fmt: skip


def _index(docs: list[Doc]) -> None:
    with transaction.atomic():
        dedup_index_batch(entries=[IndexEntry(key=d.key, features=features(d)) for d in docs])


def test_database_store_answers_as_the_in_memory_store() -> None:
    docs = [_doc(i) for i in range(40)] + [_doc(i, "quill-web") for i in range(40, 50)]
    memory = InMemoryStore()
    for d in docs:
        memory.add(d.key, features(d))
    _index(docs)
    for probe in (_doc(3), _doc(77), _doc(45, "quill-web"), Doc(key="empty")):
        query = features(probe)
        db = DbStore()
        assert db.candidates(query, 10) == memory.candidates(query, 10)
        tokens = set(query.counted_tokens())
        assert db.stats(tokens, block=query.block) == memory.stats(tokens, block=query.block)


def test_posting_lists_longer_than_the_cap_are_never_read() -> None:
    _index([_doc(i) for i in range(POSTING_CAP + 1)])
    store, query = DbStore(), features(_doc(5))
    assert "w:acmeflow" in query.terms
    common = store.hasher.posting(query.block, "w:acmeflow")
    assert sql.read_counters([common]) == {common: POSTING_CAP + 1}
    store.candidates(query, 10)
    assert common not in store._lists
    assert all(len(posting) <= POSTING_CAP for posting in store._lists.values())


def test_a_crowded_package_reads_at_most_the_posting_budget() -> None:
    # 300 look-alikes: every boilerplate word's list is under the cap but long, so reading
    # them all would cost thousands of rows per decision.
    docs = [_doc(i) for i in range(300)]
    _index(docs)
    memory = InMemoryStore()
    for d in docs:
        memory.add(d.key, features(d))
    query = features(_doc(5))
    store = DbStore()
    found = store.candidates(query, 10)
    assert sum(len(posting) for posting in store._lists.values()) <= POSTING_BUDGET
    assert found == memory.candidates(query, 10)
    assert found[0][0] == "k5"  # the rare tokens still find the same report


def test_counters_add_in_the_database_and_can_go_down() -> None:
    sql.add_counters({1: 2, 2: 5})
    sql.add_counters({1: 3, 2: -5})
    assert sql.read_counters([1, 2, 3]) == {1: 5, 2: 0}


def _batch(n: int, offset: int) -> list[DedupItem]:
    return [DedupItem(key=f"q{offset + i}", doc=_doc(offset + i)) for i in range(n)]


def test_query_count_of_a_batch_does_not_grow_with_its_size() -> None:
    _index([_doc(i) for i in range(30)])
    counts = []
    for n, offset in ((5, 1000), (50, 2000)):
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            results = dedup_decide_batch(items=_batch(n, offset))
            dedup_index_batch(entries=[r.entry(None) for r in results])
        counts.append(len(ctx.captured_queries))
    assert counts[1] <= counts[0]


def test_later_items_of_a_batch_see_earlier_ones() -> None:
    same = [DedupItem(key=f"c{i}", doc=_doc(9)) for i in range(3)]
    with transaction.atomic():
        results = dedup_decide_batch(items=same)
    assert [r.kind for r in results] == ["new", "duplicate", "duplicate"]
    assert results[1].duplicate_of == "c0"


def test_batches_decide_as_one_item_at_a_time() -> None:
    _index([_doc(i) for i in range(20)])
    items = _batch(12, 15)
    with transaction.atomic():
        together = dedup_decide_batch(items=items)
        transaction.set_rollback(True)
    alone = []
    with transaction.atomic():
        for item in items:
            [result] = dedup_decide_batch(items=[item])
            dedup_index_batch(entries=[result.entry(None)])
            alone.append(result)
        transaction.set_rollback(True)
    assert [(r.kind, r.duplicate_of, r.score) for r in together] == [
        (r.kind, r.duplicate_of, r.score) for r in alone
    ]


@pytest.mark.parametrize(
    "doc",
    [
        Doc(key="empty"),
        Doc(key="huge", package="acme-flow", text="overflow " * 200_000),
        Doc(key="nopkg", text="A crash in parse_header() of some library."),
        Doc(key="eco", package="pkg:unknownthing/acme@1.0", text="Crash in parse_header()."),
        Doc(key="deep", package="acme-flow", text="Crash.",
            stack_frames=tuple(f"frame_{i}" for i in range(10_000))),
        Doc(key="boiler", package="acme-flow",
            text="AcmeFlow is a workflow engine for data pipelines. " * 5_000),
    ],
)  # fmt: skip
def test_hostile_reports_get_a_decision_in_bounded_time(doc: Doc) -> None:
    _index([_doc(i) for i in range(20)])
    started = time.perf_counter()
    with transaction.atomic():
        [result] = dedup_decide_batch(items=[DedupItem(key=doc.key, doc=doc)])
    assert result.kind in {"new", "duplicate", "already_public"}
    assert time.perf_counter() - started < 5


def test_a_changed_index_key_is_detected_not_silent() -> None:
    _index([_doc(1)])
    with pytest.raises(IndexKeyMismatch):
        DbStore(Hasher(key=b"another key, another index......")).stats([], block="*")


def test_hashes_depend_on_the_key() -> None:
    one, two = Hasher(key=b"a" * 32), Hasher(key=b"b" * 32)
    assert one.df("w:overflow") == Hasher(key=b"a" * 32).df("w:overflow")
    assert one.df("w:overflow") != two.df("w:overflow")
    assert one.df("w:overflow") != one.block_df("pypi/acme", "w:overflow")


MARKER = "zqxvortexmarker"


def _dump(table: str) -> bytes:
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        rows = cur.fetchall()
    out = bytearray()
    for row in rows:
        for value in row:
            out += bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
    return bytes(out)


def test_no_report_text_reaches_the_dedup_tables_in_plaintext(
    project: Any, reporter: Any, sirt: Any
) -> None:
    text = f"{MARKER} overflow in {MARKER}_decode() of yamlkit/{MARKER}.py"
    submit(reporter, parsed(f"{MARKER} title", text), parsed(f"{MARKER} again", text))
    report = DedupEntry.objects.filter(decision="duplicate").get().report
    assert report is not None
    from akrites.dedup.services import report_split

    report_split(actor=sirt, report=report, reason=f"{MARKER} differs")
    assert DedupPosting.objects.exists() and DedupCounter.objects.exists()
    assert DedupLabel.objects.exists()
    for model in (DedupEntry, DedupPosting, DedupCounter, DedupLabel):
        assert MARKER.encode() not in _dump(model._meta.db_table).lower()
