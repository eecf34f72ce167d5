"""Recipients' OpenPGP public keys: checking an uploaded key, encrypting mail to it.

A keyring of its own (``AKRITES_RECIPIENT_KEYRING``), separate from the platform's intake
keyring: it holds public keys only, no secret ever. Keys are stored on the user's preference
row (the source of truth) and imported here on use, so the keyring is a cache that can be
deleted. gpg runs without network (no keyserver, no WKD) and trusts the key it is given by
fingerprint: the user uploaded it to their own authenticated account.

Contract: ``inspect`` raises ``InvalidInput("openpgp_key", …)`` for anything that is not one
usable encryption key; ``encrypt`` returns ``None`` (never raises) when the key cannot be used
(expired, revoked, no encryption subkey, gpg failure), and the caller falls back to the short
notice. Nothing here logs key material or plaintext.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import gnupg
from django.conf import settings

from akrites.core.errors import InvalidInput

logger = logging.getLogger(__name__)

FIELD = "openpgp_key"
MAX_KEY_BYTES = 64 * 1024
_BEGIN = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
_OPTIONS = [
    "--disable-dirmngr",
    "--no-auto-key-locate",
    "--no-auto-key-retrieve",
    "--no-greeting",
    "--trust-model",
    "always",
]
# gpg key validity letters (doc/DETAILS): expired, revoked, invalid, disabled.
_UNUSABLE = frozenset("erid")


@dataclass(frozen=True)
class KeyInfo:
    fingerprint: str
    expires: int | None  # Unix time, None for no expiry


class RecipientKeyring:
    """A public-key-only keyring; gpg calls on one instance are serialised."""

    def __init__(self, home: str | Path) -> None:
        self.home = Path(home)
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.home.chmod(0o700)
        self._gpg = gnupg.GPG(gnupghome=str(self.home), options=_OPTIONS)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Stop any agent gpg started for this home (they outlive gpg otherwise)."""
        gpgconf = shutil.which("gpgconf")
        if gpgconf:
            subprocess.run(  # noqa: S603 - fixed argv, no shell
                [gpgconf, "--homedir", str(self.home), "--kill", "all"],
                check=False,
                capture_output=True,
                timeout=10,
            )

    def _import(self, armored: str) -> list[str]:
        result = self._gpg.import_keys(armored)
        return [str(f) for f in (result.fingerprints or [])]

    def inspect(self, armored: str) -> KeyInfo:
        """Import one public key and return it, or raise ``InvalidInput`` saying why not."""
        text = armored.strip()
        if len(text.encode()) > MAX_KEY_BYTES:
            raise InvalidInput(FIELD, "The key is too large.")
        if not text.startswith(_BEGIN):
            raise InvalidInput(FIELD, "Paste an ASCII-armoured OpenPGP public key.")
        with self._lock:
            fingerprints = sorted(set(self._import(text)))
            if len(fingerprints) != 1:
                raise InvalidInput(FIELD, "Paste exactly one OpenPGP public key.")
            keys = self._gpg.list_keys(keys=fingerprints)
        if len(keys) != 1:
            raise InvalidInput(FIELD, "The key could not be read.")
        key = keys[0]
        if key.get("trust", "") in _UNUSABLE:
            raise InvalidInput(FIELD, "The key is expired, revoked or invalid.")
        expires = int(key["expires"]) if key.get("expires") else None
        if expires is not None and expires <= time.time():
            raise InvalidInput(FIELD, "The key has expired.")
        if "E" not in key.get("cap", ""):
            raise InvalidInput(FIELD, "The key has no usable encryption subkey.")
        return KeyInfo(fingerprint=fingerprints[0], expires=expires)

    def encrypt(self, *, armored_key: str, fingerprint: str, text: str) -> str | None:
        """ASCII-armoured ciphertext of ``text`` for ``fingerprint``, or None if unusable."""
        try:
            with self._lock:
                if fingerprint not in self._import(armored_key):
                    return None
                result = self._gpg.encrypt(text, fingerprint, armor=True, always_trust=True)
        except (OSError, ValueError):
            logger.warning("gpg failed while encrypting to key %s", fingerprint)
            return None
        if not result.ok:
            logger.info("recipient key %s unusable (%s)", fingerprint, result.status)
            return None
        return str(result)


_keyrings: dict[str, RecipientKeyring] = {}
_keyrings_lock = threading.Lock()


def recipient_keyring() -> RecipientKeyring:
    """The process's keyring for ``settings.AKRITES_RECIPIENT_KEYRING``."""
    home = str(settings.AKRITES_RECIPIENT_KEYRING)
    with _keyrings_lock:
        if home not in _keyrings:
            _keyrings[home] = RecipientKeyring(home)
        return _keyrings[home]
