"""The platform's Ed25519 key: detached signatures over published documents and over the
audit chain's checkpoints, so mirrors and witnesses can verify what the platform said.

The key comes from ``AKRITES_SIGNING_KEY`` / ``AKRITES_SIGNING_KEY_FILE`` (PEM, PKCS#8), or is
generated into ``var/signing-key.pem`` (mode 0600) on first use. The public key is served at
``/.well-known/akrites-signing-key.pem``; a signature is the raw 64 bytes over the exact bytes
signed (``openssl pkeyutl -verify -rawin -pubin -inkey key.pem -in doc -sigfile doc.sig``).
It lives in ``core`` because ``audit`` (low in the layering) signs with it as well as
``disclosure``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from akrites.core.env import ConfigError, create_exclusive, env_secret


def _key_file() -> Path:
    return Path(settings.VAR_DIR) / "signing-key.pem"


@functools.lru_cache(maxsize=4)
def _load(pem: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError("AKRITES_SIGNING_KEY must be an Ed25519 private key")
    return key


def _generate(path: Path) -> str:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    # Another process may generate one at the same moment: one file wins, all use it.
    create_exclusive(path, pem)
    return path.read_text(encoding="ascii")


def signing_key() -> Ed25519PrivateKey:
    pem = env_secret("AKRITES_SIGNING_KEY")
    if pem is None:
        path = _key_file()
        pem = path.read_text(encoding="ascii") if path.exists() else _generate(path)
    return _load(pem)


def public_key_pem() -> str:
    return (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


@functools.lru_cache(maxsize=8)
def _public(public_pem: str) -> Ed25519PublicKey | None:
    key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    return key if isinstance(key, Ed25519PublicKey) else None


def key_id(public_pem: str) -> str:
    """SHA-256 (hex) of the raw public key: names the key that signed something."""
    key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(data: bytes) -> str:
    """Base64 of the Ed25519 signature over ``data``."""
    return base64.b64encode(signing_key().sign(data)).decode("ascii")


def verify(data: bytes, signature_b64: str, public_pem: str) -> bool:
    key = _public(public_pem)
    if key is None:
        return False
    try:
        key.verify(base64.b64decode(signature_b64), data)
    except Exception:  # InvalidSignature, or a malformed signature
        return False
    return True
