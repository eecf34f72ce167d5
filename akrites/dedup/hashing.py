"""Keyed 64-bit hashes of index tokens, and the stable secret they are keyed with.

Postings and counters must not reveal report text, yet the index must answer "which entries
share this token" across workers. Every token is therefore stored as a signed 64-bit integer
derived from HMAC-SHA256 under a secret index key: without the key, a hash cannot be tested
against guessed words.

Each token and each scope is hashed once with HMAC-SHA256; the value stored for a (domain,
scope, token) triple is a bijective 64-bit mix of those keyed hashes (see ``Hasher``).

The index key is derived (HKDF-SHA256, fixed ``info``) from a dedicated secret, never from the
encryption keyring's active key: rotating encryption keys (``akrites keys rotate``) must not
change every hash and silently empty the index, and retiring an old key must not either. The
secret is ``settings.AKRITES_DEDUP_INDEX_KEY`` when set, else the environment
(``AKRITES_DEDUP_INDEX_KEY`` / ``_FILE``), else ``var/dedup_index_key``, generated on first
run like the Django secret key. Every host sharing a database must share it (as they share
``var/keys.json``). Changing it is detected (``store.IndexKeyMismatch``), not silent.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from akrites.core.env import env_secret, generated_secret

_INFO = b"akrites.dedup.token-hash.v1"


def index_secret() -> str:
    configured: str | None = getattr(settings, "AKRITES_DEDUP_INDEX_KEY", None)
    if configured:
        return configured
    return env_secret("AKRITES_DEDUP_INDEX_KEY") or generated_secret(
        Path(settings.VAR_DIR) / "dedup_index_key"
    )


@lru_cache(maxsize=4)
def _derive(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret.encode("utf-8")
    )


_MEMO_LIMIT = 1_000_000  # memoised values per process (about 150 MB at most), then cleared
_MASK = (1 << 64) - 1


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _mix(a: int, b: int) -> int:
    """Combine two keyed hashes into a third (SplitMix64's finaliser over ``a ^ f(b)``).

    Bijective in ``a`` for a fixed ``b``: two tokens never collide within one domain and
    scope unless their keyed hashes do. Inputs are already keyed (HMAC outputs), so the
    result is as unguessable as they are; it only saves one HMAC per (domain, scope, token).
    """
    z = (a ^ (b * 0x9E3779B97F4A7C15)) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return _signed(z ^ (z >> 31))


class _Memo:
    def __init__(self) -> None:
        self.size = 0
        self.raw: dict[str, int] = {}
        self.scoped: dict[tuple[str, str], dict[str, int]] = {}

    def table(self, domain: str, scope: str) -> dict[str, int]:
        if self.size >= _MEMO_LIMIT:
            self.size = 0
            self.raw.clear()
            self.scoped.clear()
        table = self.scoped.get((domain, scope))
        if table is None:
            table = self.scoped[(domain, scope)] = {}
        return table


class Hasher:
    """Keyed 64-bit hashes of (domain, scope, token), memoised per process and key.

    Each token and each scope costs one HMAC-SHA256 (``_raw``); the hash of a (domain, scope,
    token) triple combines those (``_mix``). Domains keep counters of different kinds apart:
    ``p`` posting list (scope, token) and its length, ``d`` document frequency of a token,
    ``b`` document frequency inside a package family, ``c`` entries in a family, ``t`` the
    total, ``f`` a family itself (``DedupEntry.block_hash``). The memo only holds what the
    process already handles in plaintext; it spares the HMACs of the tokens every decision
    in a package repeats.
    """

    _memos: dict[bytes, _Memo] = {}

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else _derive(index_secret())
        self._memo = Hasher._memos.setdefault(self._key, _Memo())

    def _raw(self, message: str) -> int:
        value = self._memo.raw.get(message)
        if value is None:
            digest = hmac.digest(self._key, message.encode(), "sha256")
            value = self._memo.raw[message] = int.from_bytes(digest[:8], "big")
            self._memo.size += 1
        return value

    def many(self, domain: str, scope: str, tokens: Iterable[str]) -> list[int]:
        """Hashes of ``tokens`` in one (domain, scope), in order."""
        table = self._memo.table(domain, scope)
        salt = self._raw(f"s{domain}{len(scope)}:{scope}")
        out = []
        for token in tokens:
            value = table.get(token)
            if value is None:
                value = table[token] = _mix(self._raw("k" + token), salt)
                self._memo.size += 1
            out.append(value)
        return out

    def postings(self, pairs: Iterable[tuple[str, str]]) -> list[int]:
        """Posting hashes of ``(scope, token)`` pairs, in order."""
        pairs = list(pairs)
        by_scope: dict[str, list[str]] = {}
        for scope, token in pairs:
            by_scope.setdefault(scope, []).append(token)
        # A report's pairs come in a handful of scopes: hash each scope's tokens in one call.
        hashed = {s: dict(zip(t, self.many("p", s, t), strict=True)) for s, t in by_scope.items()}
        return [hashed[scope][token] for scope, token in pairs]

    def of(self, domain: str, scope: str, token: str = "") -> int:
        return self.many(domain, scope, (token,))[0]

    def posting(self, scope: str, token: str) -> int:
        return self.of("p", scope, token)

    def df(self, token: str) -> int:
        return self.of("d", "", token)

    def block_df(self, block: str, token: str) -> int:
        return self.of("b", block, token)

    def block_count(self, block: str) -> int:
        return self.of("c", block)

    def total(self) -> int:
        return self.of("t", "")

    def family(self, block: str) -> int:
        return self.of("f", block)
