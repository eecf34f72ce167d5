"""The platform's OpenPGP intake key, and decryption of reports encrypted to it.

Reporters who want end-to-end protection encrypt their report to the platform's public key
(published through security.txt ``Encryption:``) and paste the ASCII armour into the form or
the API. This module owns that key and turns such a message back into plaintext.

Contract of the module:

* Everything runs through Debian's ``gpg`` via python-gnupg, in a home directory of our own
  (never the operator's ``~/.gnupg``), with no network, no pinentry and a wall-clock timeout.
* Failures caused by the submitted message raise ``InvalidInput("body", ...)`` (``TooLarge``
  for the size limit); failures of the keyring itself raise ``KeyringError``.
* No message, exception or log line written here contains ciphertext or plaintext.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import gnupg

from akrites.core.errors import InvalidInput, TooLarge

logger = logging.getLogger(__name__)

FIELD = "body"

_ARMOR_BEGIN = b"-----BEGIN PGP MESSAGE-----"
_ARMOR_END = b"-----END PGP MESSAGE-----"
_PUBLIC_KEY_BEGIN = "-----BEGIN PGP PUBLIC KEY BLOCK-----"

# Options added to every gpg run (python-gnupg already adds --batch, --no-tty, --status-fd 2).
_GPG_OPTIONS = [
    # There is no terminal and the key has no passphrase: never start a pinentry, which would
    # otherwise hang until the timeout.
    "--pinentry-mode",
    "loopback",
    # No network, ever: dirmngr is the component that talks to keyservers and WKD, and the
    # key-locate/retrieve/import switches are the ways a decrypt could make gpg want it.
    "--disable-dirmngr",
    "--no-auto-key-locate",
    "--no-auto-key-retrieve",
    # Keys embedded in a reporter's signature must not land in the platform keyring.
    "--no-auto-key-import",
    # We hold no reporter keys, so a signature cannot be verified here; without this switch a
    # signed+encrypted message makes gpg exit 2 and a real failure would look the same.
    "--skip-verify",
    "--no-greeting",
]

# Status keywords (gpg's machine interface, doc/DETAILS) that mean "do not trust the output".
# gpg writes plaintext *before* it knows the message is intact (a truncated message still
# yields output, then DECRYPTION_FAILED), so output is only used when none of these appear.
_FAILURE_STATUSES = frozenset({"DECRYPTION_FAILED", "BADMDC", "ERROR", "FAILURE", "NODATA"})

# Characters that would let a name or e-mail break out of gpg's key-parameter file.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+")


class KeyringError(RuntimeError):
    """The keyring itself failed (gpg missing, key generation failed, no key yet).

    An operator problem, not a problem with the caller's input: not an ``AkritesError``.
    """


def is_armored_message(data: bytes) -> bool:
    """True if ``data`` is, apart from surrounding whitespace, one ASCII-armoured PGP message.

    Used to auto-detect encrypted report bodies. Text around the armour makes this False on
    purpose: decrypting would silently drop that text.
    """
    stripped = data.strip()
    return (
        stripped.isascii()
        and stripped.startswith(_ARMOR_BEGIN)
        and stripped.endswith(_ARMOR_END)
        and stripped.count(_ARMOR_BEGIN) == 1
    )


class _PlaintextSink:
    """Receives gpg's stdout chunk by chunk (python-gnupg's ``on_data``) and enforces the limit.

    A compressed message can expand far beyond its own size, so the sink keeps at most
    ``limit`` bytes and kills gpg as soon as more arrive instead of letting it run on.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chunks: list[bytes] = []
        self.size = 0
        self.exceeded = False
        self.timed_out = False
        self.process: subprocess.Popen[bytes] | None = None

    def __call__(self, chunk: bytes) -> bool:
        if not self.exceeded:
            self.size += len(chunk)
            if self.size > self.limit:
                self.exceeded = True
                self.chunks.clear()
                if self.process is not None:
                    self.process.kill()
            else:
                self.chunks.append(chunk)
        # False: python-gnupg need not keep a second copy of the plaintext.
        return False


class _BoundedGPG(gnupg.GPG):  # type: ignore[misc]  # python-gnupg is untyped
    """python-gnupg with a wall-clock limit on every gpg run.

    python-gnupg has no timeout and waits for gpg to exit. ``_collect_output`` is the one
    method that holds the process while its output is drained, so the limit is enforced there
    (stable since python-gnupg 0.4); it also hands the process to a ``_PlaintextSink``.
    """

    def __init__(self, *, timeout: float, **kwargs: Any) -> None:
        self._timeout = timeout  # before super(): its __init__ already runs gpg
        super().__init__(**kwargs)

    def _collect_output(
        self,
        process: subprocess.Popen[bytes],
        result: Any,
        writer: threading.Thread | None = None,
        stdin: Any = None,
    ) -> int:
        sink = self.on_data if isinstance(self.on_data, _PlaintextSink) else None
        if sink is not None:
            sink.process = process
        timer = threading.Timer(self._timeout, _expire, args=(process, sink))
        timer.start()
        try:
            rc: int = super()._collect_output(process, result, writer, stdin)
        finally:
            timer.cancel()
        return rc


def _expire(process: subprocess.Popen[bytes], sink: _PlaintextSink | None) -> None:
    if process.poll() is not None:
        return  # finished just as the timer fired: not a timeout
    if sink is not None:
        sink.timed_out = True
    process.kill()


class IntakeKeyring:
    """The platform's OpenPGP keyring in its own home directory.

    ``home`` is created with mode 0700 (gpg refuses or warns otherwise). Keep its path short:
    gpg-agent puts its socket there unless ``/run/user/<uid>`` exists, and Unix socket paths
    are limited to about 100 bytes. Call ``close()`` (or use ``with``) to stop the agent.

    All gpg calls on one instance are serialised, because python-gnupg keeps the output
    callback on the instance; a process serving requests in threads may hold one instance per
    thread (they can share the home directory).
    """

    def __init__(
        self,
        home: str | os.PathLike[str],
        *,
        timeout: float = 10.0,
        gpg_binary: str | None = None,
    ) -> None:
        self.home = Path(home)
        self.timeout = timeout
        gpg = gpg_binary or shutil.which("gpg")
        if gpg is None:
            raise KeyringError("gpg is not installed")
        gpgconf = shutil.which("gpgconf", path=str(Path(gpg).parent)) or shutil.which("gpgconf")
        if gpgconf is None:
            raise KeyringError("gpgconf is not installed")
        self._gpgconf = gpgconf
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkdir's mode is filtered by the umask and ignored for an existing directory.
        self.home.chmod(0o700)
        try:
            self._gpg = _BoundedGPG(
                timeout=timeout, gpgbinary=gpg, gnupghome=str(self.home), options=_GPG_OPTIONS
            )
        except (OSError, ValueError) as exc:
            raise KeyringError(f"gpg could not be started: {exc}") from exc
        self._lock = threading.RLock()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the gpg-agent (and dirmngr, if anything started one) of this home directory.

        Every secret-key operation starts an agent that outlives gpg; without this they pile
        up, one per home directory. Idempotent; the next operation starts a new agent.
        """
        try:
            subprocess.run(  # noqa: S603  # fixed argv, no shell
                [self._gpgconf, "--homedir", str(self.home), "--kill", "all"],
                check=False,
                capture_output=True,
                timeout=self.timeout,
            )
        except subprocess.TimeoutExpired:
            logger.warning("gpgconf did not stop the agent of %s in time", self.home)

    def ensure_key(self, *, name: str, email: str) -> str:
        """Return the platform key's fingerprint, creating the key if the keyring has none.

        Idempotent, also across processes (a lock file in the home directory serialises
        creation). ``name`` and ``email`` only matter for the first call; changing the key later
        is key rotation, not this function. Raises ``ValueError`` for a name or e-mail that
        cannot be a user ID and ``KeyringError`` if gpg fails.
        """
        if _CONTROL.search(name) or not name.strip() or "<" in name or ">" in name:
            raise ValueError("key name must be one line of text without angle brackets")
        if _CONTROL.search(email) or not _EMAIL.fullmatch(email):
            raise ValueError("key e-mail must be a plain address")
        with self._lock, _file_lock(self.home / ".akrites-keygen.lock"):
            existing = self._current_fingerprint()
            if existing is not None:
                return existing
            params = self._gpg.gen_key_input(
                key_type="EDDSA",
                key_curve="ed25519",
                key_usage="sign",
                subkey_type="ECDH",
                subkey_curve="cv25519",
                subkey_usage="encrypt",
                name_real=name,
                name_email=email,
                # No expiry: an expired intake key silently stops encrypted reports, so it is
                # replaced by deliberate rotation rather than by a date nobody watches.
                expire_date=0,
                # No passphrase: a service cannot type one, and a passphrase stored next to
                # the key adds nothing. The key is protected by the 0700 home directory, file
                # ownership and the host itself.
                no_protection=True,
            )
            result = self._gpg.gen_key(params)
            if result.returncode != 0 or not result.fingerprint:
                raise KeyringError(f"gpg could not create the platform key ({result.status})")
            fingerprint = str(result.fingerprint)
        logger.info("created platform OpenPGP key %s", fingerprint)
        return fingerprint

    def fingerprint(self) -> str:
        """The fingerprint of the current platform key; ``KeyringError`` if there is none."""
        current = self._current_fingerprint()
        if current is None:
            raise KeyringError("the keyring has no platform key; call ensure_key() first")
        return current

    def public_key_armored(self) -> str:
        """The current platform public key as ASCII armour, minimal (self-signatures only)."""
        with self._lock:
            armored = self._gpg.export_keys(self.fingerprint(), minimal=True)
        if not isinstance(armored, str) or not armored.startswith(_PUBLIC_KEY_BEGIN):
            raise KeyringError("gpg did not export the platform public key")
        return armored

    def decrypt_armored(self, message: str | bytes, *, max_bytes: int) -> bytes:
        """Decrypt one ASCII-armoured OpenPGP message with any platform secret key.

        Returns the plaintext, at most ``max_bytes`` long. Only messages that gpg decrypted
        *and* found intact are accepted; signatures are not verified (we hold no reporter
        keys). Raises ``TooLarge`` if the plaintext exceeds ``max_bytes``, and
        ``InvalidInput("body", reason)`` if the input is not armour, is not encrypted to the
        platform key, is passphrase-encrypted, damaged, truncated, or takes longer than the
        timeout. The caller limits the size of ``message`` itself.
        """
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        data = message.encode("utf-8") if isinstance(message, str) else message
        if not is_armored_message(data):
            raise InvalidInput(FIELD, "Expected an ASCII-armoured OpenPGP message.")
        sink = _PlaintextSink(max_bytes)
        result: Any = None
        with self._lock:
            self._gpg.on_data = sink
            try:
                result = self._gpg.decrypt(data)
            except OSError:
                # python-gnupg re-raises a broken pipe when gpg stops reading early (it gave
                # up on the input, or we killed it); the checks below give the reason.
                result = None
            finally:
                self._gpg.on_data = None
        if sink.exceeded:
            raise TooLarge(FIELD, f"The decrypted message is larger than {max_bytes} bytes.")
        if sink.timed_out:
            raise InvalidInput(FIELD, "The OpenPGP message took too long to decrypt.")
        statuses = _status_keywords(result.stderr) if result is not None else set()
        if result is None or not _decrypted_intact(result.returncode, statuses):
            raise InvalidInput(FIELD, _failure_reason(statuses))
        return b"".join(sink.chunks)

    def _current_fingerprint(self) -> str | None:
        # The newest secret key that can still encrypt: after a rotation the older keys stay
        # in the ring so that messages encrypted to them still decrypt.
        with self._lock:
            keys = self._gpg.list_keys(secret=True)
        if keys.returncode != 0:
            raise KeyringError("gpg could not list the platform keyring")
        usable = [key for key in keys if "E" in key.get("cap", "")]
        if not usable:
            return None
        newest = max(usable, key=lambda key: int(key.get("date") or 0))
        return str(newest["fingerprint"])


def _status_keywords(stderr: str) -> set[str]:
    return {
        line[len("[GNUPG:] ") :].split(" ", 1)[0]
        for line in stderr.splitlines()
        if line.startswith("[GNUPG:] ")
    }


def _decrypted_intact(returncode: int, statuses: set[str]) -> bool:
    # DECRYPTION_OKAY alone is not enough: it is also emitted when writing the output failed,
    # and gpg exits 0 with NODATA for input that holds no packets at all.
    return returncode == 0 and "DECRYPTION_OKAY" in statuses and not statuses & _FAILURE_STATUSES


def _failure_reason(statuses: set[str]) -> str:
    if "NEED_PASSPHRASE_SYM" in statuses:
        return "Passphrase-encrypted OpenPGP messages are not accepted; use the platform key."
    if "NO_SECKEY" in statuses and "DECRYPTION_OKAY" not in statuses:
        return "The OpenPGP message is not encrypted to the platform key."
    if "ENC_TO" not in statuses and "NODATA" not in statuses:
        return "The OpenPGP message is not encrypted."
    return "The OpenPGP message could not be decrypted: it is damaged or truncated."


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
