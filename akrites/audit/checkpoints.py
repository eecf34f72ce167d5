"""Signed checkpoints of the audit chain's head, kept where the database cannot rewrite them.

The hash chain detects an edited, inserted, removed or reordered entry, but not a cut tail:
the shorter chain is as valid as the long one, and so is a whole table replaced by a
re-hashed chain. A checkpoint says "entry ``seq`` had hash ``head`` at ``at``", signed with
the platform key (``core.signing``), and is kept in three places:

* one JSON line appended to ``$AKRITES_VAR_DIR/audit-checkpoints.jsonl`` (``O_APPEND``,
  fsync'd, under an exclusive ``flock`` so two writers never fork it); each line carries the
  SHA-256 of the line before it (``prev``), so lines removed from the middle are detected;
* an INFO log line with the same identifiers (seq, head, signature), for the log store;
* optionally a witness (a member organisation) keeping what ``akrites audit checkpoint``
  prints; ``akrites audit verify --checkpoint FILE`` checks the database against it.

Before signing, the writer checks that the chain still extends the newest checkpoint, so an
attacker who cut the tail cannot wait for the next checkpoint to bless it. A ``restore``
line records an operator's restore of an older backup: the chain restarts from its
(seq, head), and ``superseded_seq`` names the newest checkpoint given up.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.conf import settings

from akrites.audit.services import GENESIS, Anchor
from akrites.core.clock import now
from akrites.core.errors import AkritesError
from akrites.core.signing import key_id, public_key_pem, sign, verify

logger = logging.getLogger("akrites.audit")

FILE_NAME = "audit-checkpoints.jsonl"
FORMAT = 1
KINDS = ("checkpoint", "restore")
_FIELDS = {"v", "kind", "seq", "head", "at", "prev", "key", "sig", "superseded_seq"}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class CheckpointInvalid(AkritesError):
    """A checkpoint (line) is malformed, badly signed or out of its chain; the message names
    the line, never its content."""

    code = "audit_checkpoint_invalid"
    http_status = 500


def checkpoint_path() -> Path:
    return Path(settings.VAR_DIR) / FILE_NAME


def _canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def line_hash(line: str) -> str:
    """What the next line's ``prev`` holds: SHA-256 of the exact line (no newline)."""
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head: str
    at: str
    kind: str
    prev: str
    key: str
    sig: str
    superseded_seq: int | None = None

    def _fields(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "v": FORMAT,
            "kind": self.kind,
            "seq": self.seq,
            "head": self.head,
            "at": self.at,
            "prev": self.prev,
            "key": self.key,
        }
        if self.superseded_seq is not None:
            doc["superseded_seq"] = self.superseded_seq
        return doc

    def signed_bytes(self) -> bytes:
        """Every field but the signature, canonically: what ``sig`` signs."""
        return _canonical(self._fields())

    def with_signature(self, sig: str) -> Checkpoint:
        return replace(self, sig=sig)

    def line(self) -> str:
        return _canonical({**self._fields(), "sig": self.sig}).decode("ascii")

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.seq, self.head)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _parse(doc: object, where: str) -> Checkpoint:
    if not isinstance(doc, dict) or doc.get("v") != FORMAT or not set(doc) <= _FIELDS:
        raise CheckpointInvalid(f"{where}: not an audit checkpoint")
    try:
        cp = Checkpoint(
            seq=doc["seq"],
            head=doc["head"],
            at=doc["at"],
            kind=doc["kind"],
            prev=doc["prev"],
            key=doc["key"],
            sig=doc["sig"],
            superseded_seq=doc.get("superseded_seq"),
        )
    except KeyError:
        raise CheckpointInvalid(f"{where}: a field is missing") from None
    well_formed = (
        _is_count(cp.seq)
        and cp.kind in KINDS
        and all(isinstance(v, str) for v in (cp.head, cp.at, cp.prev, cp.key, cp.sig))
        and bool(_HEX64.match(cp.head) and _HEX64.match(cp.prev))
        and (cp.superseded_seq is None or _is_count(cp.superseded_seq))
    )
    if not well_formed:
        raise CheckpointInvalid(f"{where}: a field has a wrong type or form")
    return cp


def _parse_line(text: str, where: str) -> Checkpoint:
    try:
        doc = json.loads(text)
    except ValueError:
        raise CheckpointInvalid(f"{where}: not valid JSON") from None
    return _parse(doc, where)


@dataclass(frozen=True)
class _PlatformKey:
    pem: str
    kid: str


def _platform_key() -> _PlatformKey:
    pem = public_key_pem()
    return _PlatformKey(pem, key_id(pem))


def _check_signature(cp: Checkpoint, where: str, key: _PlatformKey | None = None) -> None:
    key = key or _platform_key()
    if cp.key != key.kid:
        raise CheckpointInvalid(f"{where}: bad signature (not signed by the platform key)")
    if not verify(cp.signed_bytes(), cp.sig, key.pem):
        raise CheckpointInvalid(f"{where}: bad signature")


def _verify_lines(lines: Iterable[str]) -> list[Checkpoint]:
    result: list[Checkpoint] = []
    prev = GENESIS
    key = _platform_key()
    for n, text in enumerate(lines, start=1):
        where = f"checkpoint line {n}"
        cp = _parse_line(text, where)
        _check_signature(cp, where, key)
        if cp.prev != prev:
            if n == 1:
                raise CheckpointInvalid(f"{where} does not start the chain (lines removed)")
            raise CheckpointInvalid(
                f"{where} does not chain to the line before it (lines removed or reordered)"
            )
        if result and cp.kind == "checkpoint" and cp.seq < result[-1].seq:
            raise CheckpointInvalid(f"{where} goes back to seq {cp.seq} without a restore")
        result.append(cp)
        prev = line_hash(text)
    return result


def checkpoints_read(path: Path) -> list[Checkpoint]:
    """Every checkpoint of a checkpoint file, oldest first, after checking each signature,
    that each line chains to the one before (the first to ``GENESIS``) and that ``seq`` only
    goes back at a restore. Raises ``CheckpointInvalid`` naming the first bad line."""
    try:
        data = path.read_bytes()
    except OSError:
        raise CheckpointInvalid(f"cannot read the checkpoint file {path}") from None
    if data and not data.endswith(b"\n"):
        raise CheckpointInvalid("the checkpoint file ends in a partial line")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckpointInvalid("the checkpoint file is not UTF-8") from None
    return _verify_lines(text.split("\n")[:-1])


def checkpoints_load(path: Path) -> list[Checkpoint]:
    """A witness's checkpoints: one checkpoint as ``akrites audit checkpoint`` printed it
    (pretty-printed or not), verified on its own, or a copy of a checkpoint file, verified
    line by line as ``checkpoints_read`` does."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise CheckpointInvalid(f"cannot read the checkpoint file {path}") from None
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        cp = _parse(doc, "checkpoint")
        _check_signature(cp, "checkpoint")
        return [cp]
    found = checkpoints_read(path)
    if not found:
        raise CheckpointInvalid(f"no checkpoint in {path}")
    return found


@contextmanager
def _locked(path: Path) -> Iterator[int]:
    """The checkpoint file opened for appending only, under an exclusive lock."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if created:  # the new directory entry must survive a crash too
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def _last_line(fd: int) -> str | None:
    end = size = os.fstat(fd).st_size
    if size == 0:
        return None
    buf = b""
    while True:
        start = max(0, end - 4096)
        buf = os.pread(fd, end - start, start) + buf
        end = start
        if not buf.endswith(b"\n"):
            raise CheckpointInvalid("the checkpoint file ends in a partial line")
        cut = buf.rfind(b"\n", 0, len(buf) - 1)
        if cut >= 0 or start == 0:
            return buf[cut + 1 : -1].decode("utf-8", errors="replace")


# What a writer decides from the newest checkpoint: (kind, head, superseded seq), or None.
Decision = tuple[str, Anchor, int | None] | None


def checkpoint_append(decide: Callable[[Checkpoint | None], Decision]) -> Checkpoint | None:
    """Append one signed line chosen by ``decide`` (called with the newest checkpoint, under
    the file's lock, so concurrent writers see each other's lines), fsync it and log it."""
    with _locked(checkpoint_path()) as fd:
        text = _last_line(fd)
        last = None
        if text is not None:
            last = _parse_line(text, "the newest checkpoint line")
            _check_signature(last, "the newest checkpoint line")
        decision = decide(last)
        if decision is None:
            return None
        kind, head, superseded = decision
        unsigned = Checkpoint(
            seq=head.seq,
            head=head.head,
            at=now().isoformat(timespec="microseconds"),
            kind=kind,
            prev=GENESIS if text is None else line_hash(text),
            key=key_id(public_key_pem()),
            sig="",
            superseded_seq=superseded,
        )
        cp = unsigned.with_signature(sign(unsigned.signed_bytes()))
        os.write(fd, (cp.line() + "\n").encode("ascii"))
        os.fsync(fd)
    logger.info(
        "audit %s seq=%d head=%s at=%s line=%s sig=%s",
        cp.kind,
        cp.seq,
        cp.head,
        cp.at,
        line_hash(cp.line()),
        cp.sig,
    )
    return cp
