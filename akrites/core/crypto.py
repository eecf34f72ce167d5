"""Encryption at rest: AES-256-GCM with a key id stored beside every value.

A value is ``b"\\x01" + len(kid) + kid + nonce(12) + ciphertext||tag``. The key id lets keys
rotate: new values use the active key, old values stay readable while their key is kept,
and ``akrites keys rotate`` re-encrypts them. The associated data binds a ciphertext to the
column it was written to, so a value copied into another column does not decrypt.

Keys are 32 random bytes, base64url-encoded, held in a JSON document
``{"active": "<kid>", "keys": {"<kid>": "<b64>", ...}}`` read from
``AKRITES_ENCRYPTION_KEYS`` / ``AKRITES_ENCRYPTION_KEYS_FILE`` or from ``var/keys.json``,
which is created on first run.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from akrites.core.env import create_exclusive

FORMAT_VERSION = 1
_NONCE_BYTES = 12


class CryptoError(RuntimeError):
    """A value cannot be decrypted: unknown key id, corrupted data or wrong column."""


@dataclass(frozen=True)
class Keyring:
    active: str
    keys: dict[str, bytes]

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise CryptoError("the active key id is not among the keys")
        for kid, key in self.keys.items():
            if len(key) != 32 or not kid or len(kid.encode()) > 64:
                raise CryptoError(f"key {kid!r} must be 32 bytes with a short id")

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        try:
            doc = json.loads(text)
            keys = {str(k): _b64decode(str(v)) for k, v in doc["keys"].items()}
            return cls(active=str(doc["active"]), keys=keys)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CryptoError(f"malformed key document: {type(exc).__name__}") from None

    def to_json(self) -> str:
        keys = {kid: base64.urlsafe_b64encode(k).decode() for kid, k in self.keys.items()}
        return json.dumps({"active": self.active, "keys": keys}, indent=2, sort_keys=True)

    def with_new_active_key(self) -> Keyring:
        kid = f"k{len(self.keys) + 1}-{secrets.token_hex(4)}"
        return Keyring(active=kid, keys={**self.keys, kid: AESGCM.generate_key(bit_length=256)})

    def without(self, kid: str) -> Keyring:
        if kid == self.active:
            raise CryptoError("cannot retire the active key")
        return Keyring(active=self.active, keys={k: v for k, v in self.keys.items() if k != kid})

    def encrypt(self, plaintext: bytes, *, aad: bytes) -> bytes:
        kid = self.active.encode()
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext, aad)
        return bytes([FORMAT_VERSION, len(kid)]) + kid + nonce + sealed

    def decrypt(self, blob: bytes, *, aad: bytes) -> bytes:
        kid = key_id_of(blob)
        key = self.keys.get(kid)
        if key is None:
            raise CryptoError(f"no key with id {kid!r} in the keyring")
        start = 2 + len(kid.encode())
        nonce, sealed = blob[start : start + _NONCE_BYTES], blob[start + _NONCE_BYTES :]
        try:
            return AESGCM(key).decrypt(nonce, sealed, aad)
        except InvalidTag:
            raise CryptoError("value failed authentication (corrupted or moved)") from None


def key_id_of(blob: bytes) -> str:
    if len(blob) < 2 + 1 + _NONCE_BYTES + 16 or blob[0] != FORMAT_VERSION:
        raise CryptoError("not an Akrites ciphertext")
    kid_len = blob[1]
    return blob[2 : 2 + kid_len].decode("ascii", errors="replace")


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def new_keyring() -> Keyring:
    return Keyring(active="k1", keys={"k1": AESGCM.generate_key(bit_length=256)})


def write_keyring(path: Path, keyring: Keyring) -> None:
    """Atomically replace the key file (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(keyring.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


_lock = threading.Lock()
# (source identity, keyring): the env text, or the key file's (path, mtime, size, inode).
_cached: tuple[object, Keyring] | None = None
_checked_at = 0.0
_cached_args: tuple[str | None, str] | None = None
# How often the key file is looked at again: a rotation reaches a running server within this.
RECHECK_SECONDS = 1.0


def load_keyring(*, env_value: str | None, path: Path) -> Keyring:
    """Return the keyring from the environment value, else from ``path`` (created if missing).

    Cached; at most every ``RECHECK_SECONDS`` the key file is looked at again and re-read when
    its modification time, size or inode changed, so a rotation (which atomically replaces
    the file) reaches running servers within a second, without a restart.
    """
    global _cached, _checked_at, _cached_args
    with _lock:
        tick = time.monotonic()
        args = (env_value, str(path))
        if _cached is not None and _cached_args == args and tick - _checked_at < RECHECK_SECONDS:
            return _cached[1]
        _checked_at, _cached_args = tick, args
        if env_value:
            source: object = env_value
        else:
            try:
                st = path.stat()
            except FileNotFoundError:
                # First run: processes starting together must agree on one keyring.
                create_exclusive(path, new_keyring().to_json())
                st = path.stat()
            source = (str(path), st.st_mtime_ns, st.st_size, st.st_ino)
        if _cached is None or _cached[0] != source:
            text = env_value or path.read_text(encoding="utf-8")
            _cached = (source, Keyring.from_json(text))
        return _cached[1]


def reset_cache() -> None:
    global _cached, _checked_at
    with _lock:
        _cached = None
        _checked_at = 0.0
