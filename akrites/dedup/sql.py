"""Set-based reads and writes of the index, one statement each whatever the batch size.

Every statement's text is built from constants (table names from the models, fixed
fragments); every value travels as a parameter.

Lists of hashes travel as a single parameter (a JSON array read with ``json_each`` on SQLite,
an array ``unnest``-ed on PostgreSQL), so no statement is split by parameter limits and the
query count of a batch stays constant. Counter updates are upserts that add in the database
(``n = n + excluded.n``), so concurrent writers never lose an increment; rows are written in
key order so two concurrent batches lock shared counters in the same order (no deadlock).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.db import connection
from django.db.models.expressions import RawSQL

from akrites.dedup.models import DedupCounter, DedupPosting

_COUNTER = DedupCounter._meta.db_table
_POSTING = DedupPosting._meta.db_table


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def int_source(values: Iterable[int]) -> tuple[str, list[Any]]:
    """A sub-select yielding ``values`` as one column, and its single parameter."""
    data = sorted(set(values))
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])", [data]
    return "SELECT value FROM json_each(%s)", [json.dumps(data)]


def id_subquery(values: Iterable[int]) -> RawSQL:
    """``values`` as a sub-select for ``pk__in=`` (constant SQL text, values as a parameter)."""
    source, params = int_source(values)
    return RawSQL(source, params)  # noqa: S611 - fixed SQL text; the values are a parameter


def _pairs_source(rows: list[tuple[int, int]]) -> tuple[str, list[Any]]:
    if connection.vendor == "postgresql":
        return (
            "SELECT a, b FROM unnest(%s::bigint[], %s::bigint[]) AS u(a, b)",
            [[r[0] for r in rows], [r[1] for r in rows]],
        )
    return (
        "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(%s)"
        " WHERE true",  # SQLite needs a WHERE before ON CONFLICT after a SELECT
        [json.dumps(rows)],
    )


def read_counters(keys: Collection[int]) -> dict[int, int]:
    """Current value of every counter in ``keys`` that exists (missing ones are 0)."""
    if not keys:
        return {}
    source, params = int_source(keys)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {_q('key')}, n FROM {_q(_COUNTER)} WHERE {_q('key')} IN ({source})",  # noqa: S608
            params,
        )
        return {int(k): int(n) for k, n in cur.fetchall()}


def read_postings(hashes: Collection[int]) -> list[tuple[int, int]]:
    """``(token hash, entry id)`` rows of the posting lists named by ``hashes``."""
    if not hashes:
        return []
    source, params = int_source(hashes)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT token_hash, entry_id FROM {_q(_POSTING)} WHERE token_hash IN ({source})",  # noqa: S608
            params,
        )
        return [(int(h), int(e)) for h, e in cur.fetchall()]


def add_counters(deltas: Mapping[int, int]) -> None:
    """Add each delta to its counter, creating missing counters; one statement."""
    rows = sorted((k, d) for k, d in deltas.items() if d)
    if not rows:
        return
    source, params = _pairs_source(rows)
    key = _q("key")
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {_q(_COUNTER)} ({key}, n) {source} "
            f"ON CONFLICT ({key}) DO UPDATE SET n = {_q(_COUNTER)}.n + excluded.n",
            params,
        )


def insert_postings(rows: list[tuple[int, int]]) -> None:
    """Insert ``(token hash, entry id)`` postings; one statement."""
    if not rows:
        return
    source, params = _pairs_source(sorted(rows))
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {_q(_POSTING)} (token_hash, entry_id) {source}", params)
