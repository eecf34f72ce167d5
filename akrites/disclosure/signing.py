"""Ed25519 detached signatures over every published document, so mirrors can verify.

The platform key is handled in ``akrites.core.signing`` (the audit checkpoints sign with the
same key, and ``audit`` may not import ``disclosure``); this module re-exports it for
disclosure's callers.
"""

from __future__ import annotations

from akrites.core.signing import public_key_pem, sign, signing_key, verify

__all__ = ["public_key_pem", "sign", "signing_key", "verify"]
