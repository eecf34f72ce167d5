"""The platform's OpenPGP intake keyring, created on first use under ``var/gnupg``."""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings

from akrites.intake.openpgp import IntakeKeyring

_lock = threading.Lock()
_keyring: IntakeKeyring | None = None


def platform_keyring() -> IntakeKeyring:
    """The process-wide keyring; the key is generated once per installation."""
    global _keyring
    with _lock:
        if _keyring is None:
            ring = IntakeKeyring(Path(settings.VAR_DIR) / "gnupg")
            ring.ensure_key(name="Akrites intake", email=settings.AKRITES_SECURITY_EMAIL)
            _keyring = ring
        return _keyring
