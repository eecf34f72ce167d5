"""Key rotation: re-encrypt every encrypted column under the active key, then retire old keys.

Encrypted fields are discovered through the app registry, so a new model with an
``EncryptedTextField`` is rotated without being listed anywhere. Rows are re-encrypted in
batches, each in its own transaction with the rows locked, so a running server keeps
serving (it reads old and new key ids alike) and a concurrent edit is never overwritten by a
stale value. Key ids are read from the raw column (``crypto.key_id_of``), never decrypted.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

from akrites.core import crypto
from akrites.core.fields import _EncryptedField, keyring


@dataclass(frozen=True)
class EncryptedColumns:
    model: type[models.Model]
    fields: tuple[str, ...]  # attribute names
    columns: tuple[str, ...]  # database column names


def encrypted_models() -> list[EncryptedColumns]:
    found = []
    for model in apps.get_models():
        enc = [f for f in model._meta.concrete_fields if isinstance(f, _EncryptedField)]
        if enc and not model._meta.proxy:
            attnames = tuple(str(f.attname) for f in enc)
            found.append(EncryptedColumns(model, attnames, tuple(str(f.column) for f in enc)))
    return sorted(found, key=lambda e: e.model._meta.label)


def _raw_rows(cols: EncryptedColumns, after: object, batch: int) -> list[tuple[object, ...]]:
    """(pk, raw column values…) after ``after`` in pk order, straight from the database."""
    meta = cols.model._meta
    qn = connection.ops.quote_name
    assert meta.pk is not None
    pk = qn(str(meta.pk.column))
    names = ", ".join(qn(c) for c in cols.columns)
    where = f"WHERE {pk} > %s " if after is not None else ""
    sql = f"SELECT {pk}, {names} FROM {qn(meta.db_table)} {where}ORDER BY {pk} LIMIT %s"  # noqa: S608 - identifiers quoted, values bound
    params: list[Any] = [after, batch] if after is not None else [batch]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [tuple(row) for row in cur.fetchall()]


def _kids(row: tuple[object, ...]) -> Iterator[str]:
    for value in row[1:]:
        if value is not None:
            yield crypto.key_id_of(bytes(cast(bytes, value)))


def key_usage(batch: int = 1000) -> Counter[str]:
    """How many stored values use each key id, over every encrypted column."""
    usage: Counter[str] = Counter()
    for cols in encrypted_models():
        after: object = None
        while rows := _raw_rows(cols, after, batch):
            for row in rows:
                usage.update(_kids(row))
            after = rows[-1][0]
    return usage


def reencrypt_all(*, batch: int = 500) -> int:
    """Re-encrypt every value whose key id is not the active one; returns how many rows."""
    changed = 0
    for cols in encrypted_models():
        after: object = None
        while rows := _raw_rows(cols, after, batch):
            active = keyring().active
            stale = [row[0] for row in rows if any(k != active for k in _kids(row))]
            if stale:
                changed += _rewrite(cols, stale)
            after = rows[-1][0]
    return changed


def _rewrite(cols: EncryptedColumns, pks: list[object]) -> int:
    with transaction.atomic():
        # Locked and read inside the transaction: a concurrent edit either commits first
        # (and we rewrite its value) or waits for us.
        objs = list(cols.model._default_manager.select_for_update().filter(pk__in=pks))
        cols.model._default_manager.bulk_update(objs, list(cols.fields))
    return len(objs)


def _keys_file() -> Path:
    if settings.AKRITES_ENCRYPTION_KEYS:
        raise crypto.CryptoError(
            "keys come from AKRITES_ENCRYPTION_KEYS: rotate by editing that value, not the file"
        )
    return Path(settings.AKRITES_KEYS_FILE)


def rotate(*, batch: int = 500, settle_seconds: float | None = None) -> tuple[str, int]:
    """Add a new active key, wait until running servers see it, re-encrypt everything.

    A value written by a server during the switch may still use the old key, so the pass is
    repeated until a full scan finds no value under another key.
    """
    path = _keys_file()
    new = keyring().with_new_active_key()
    crypto.write_keyring(path, new)
    crypto.reset_cache()
    settle = crypto.RECHECK_SECONDS + 0.2 if settle_seconds is None else settle_seconds
    time.sleep(settle)
    total = reencrypt_all(batch=batch)
    while set(key_usage()) - {new.active}:
        time.sleep(settle)
        total += reencrypt_all(batch=batch)
    return new.active, total


def retire(kid: str) -> None:
    """Remove ``kid`` from the keyring; refuses while any stored value still uses it."""
    path = _keys_file()
    ring = keyring()
    if kid not in ring.keys:
        raise crypto.CryptoError(f"no key {kid!r} in the keyring")
    in_use = key_usage().get(kid, 0)
    if in_use:
        raise crypto.CryptoError(f"{in_use} stored values still use {kid!r}; run keys rotate")
    crypto.write_keyring(path, ring.without(kid))
    crypto.reset_cache()
