"""Anchoring the audit chain to its signed checkpoints (``audit.checkpoints``): writing one,
recording a restore, and verifying the database against the newest one.

These run as the platform (the worker's periodic job, operator commands on the host), not
on behalf of a user: there is no policy check to make, and nothing here is an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from akrites.audit.checkpoints import (
    Checkpoint,
    CheckpointInvalid,
    Decision,
    checkpoint_append,
    checkpoint_path,
    checkpoints_load,
    checkpoints_read,
)
from akrites.audit.checkpoints import logger as audit_logger
from akrites.audit.models import AuditEntry
from akrites.audit.services import GENESIS, Anchor, VerifyResult, audit_verify, audit_verify_since
from akrites.core.errors import Conflict


class ChainDoesNotExtend(Conflict):
    """The database's chain is not a continuation of the newest checkpoint (or is broken):
    nothing is signed until an operator has looked."""

    code = "audit_chain_does_not_extend"

    def __init__(self, what: str, result: VerifyResult) -> None:
        super().__init__(f"{what}: {result.reason} (at seq {result.broken_at})")


def checkpoint_write(*, force: bool = False) -> Checkpoint | None:
    """Sign and append a checkpoint of the chain's head; without ``force`` only when the head
    moved past the newest checkpoint (the periodic job). Returns the checkpoint, or None.

    First checks that the chain extends the newest checkpoint (the checkpointed entry is
    unchanged, everything after it links to it; the whole chain before the first one), else
    an attacker who cut the tail would only have to wait for the next checkpoint. Raises
    ``ChainDoesNotExtend`` (logged at ERROR) or ``CheckpointInvalid``.
    """

    def decide(last: Checkpoint | None) -> Decision:
        since = last.anchor if last is not None else Anchor(0, GENESIS)
        result = audit_verify_since(since)
        if not result.ok or result.head is None:
            what = f"the audit chain does not extend checkpoint seq {since.seq}"
            audit_logger.error("audit checkpoint refused: %s at seq %s", what, result.broken_at)
            raise ChainDoesNotExtend(what, result)
        if not force and result.head.seq == since.seq:
            return None
        return "checkpoint", result.head, None

    return checkpoint_append(decide)


def _current_branch(lines: list[Checkpoint]) -> list[Checkpoint]:
    """The checkpoints since the newest restore line (that line included)."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].kind == "restore":
            return lines[i:]
    return lines


def checkpoint_after_restore() -> Checkpoint:
    """Record that the database was restored from an older backup (workers stopped).

    The restored chain must verify on its own and contain, unchanged, the newest checkpoint
    at or below its head since the last restore: the backup is an earlier state of this log,
    not another log. If entries were lost (the newest checkpoint is beyond the head, or
    contradicts it), a signed ``restore`` line restarts the anchor at the restored head and
    names the checkpoint given up; otherwise this is a plain checkpoint. Raises
    ``ChainDoesNotExtend`` or ``CheckpointInvalid``.
    """

    def decide(last: Checkpoint | None) -> Decision:
        chain = audit_verify()
        if not chain.ok or chain.head is None:
            raise ChainDoesNotExtend("the restored audit chain is broken", chain)
        head = chain.head
        path = checkpoint_path()
        branch = _current_branch(checkpoints_read(path) if path.exists() else [])
        below = [cp for cp in branch if cp.seq <= head.seq]
        if below:
            ref = below[-1]
            stored = AuditEntry.objects.filter(seq=ref.seq).values_list("hash", flat=True).first()
            if ref.seq > 0 and stored != ref.head:
                result = VerifyResult(False, 0, ref.seq, "not an earlier state of this log")
                raise ChainDoesNotExtend(
                    f"the restored audit chain does not match checkpoint seq {ref.seq}", result
                )
            if ref is branch[-1]:
                return "checkpoint", head, None
        if last is None:
            return "checkpoint", head, None
        audit_logger.warning(
            "audit restore: chain restarts at seq %d; checkpoint seq %d given up",
            head.seq,
            last.seq,
        )
        return "restore", head, last.seq

    written = checkpoint_append(decide)
    assert written is not None  # decide() always chooses a line
    return written


@dataclass(frozen=True)
class AnchoredResult:
    chain: VerifyResult
    checkpoint: Checkpoint | None  # the newest checkpoint, the chain was compared with
    source: Path
    invalid: str = ""  # why the checkpoints themselves do not verify

    @property
    def ok(self) -> bool:
        return not self.invalid and self.chain.ok


def audit_verify_anchored(*, witness: Path | None = None) -> AnchoredResult:
    """Verify the chain against the newest checkpoint of the platform's file or, with
    ``witness``, of a checkpoint (file) a witness kept. Every checkpoint is checked first
    (signature, and for a file the chaining of its lines). No checkpoint file yet: the chain
    alone is verified and ``checkpoint`` is None (the tail is not anchored)."""
    source = witness or checkpoint_path()
    try:
        if witness is not None:
            found = checkpoints_load(witness)
        else:
            found = checkpoints_read(source) if source.exists() else []
    except CheckpointInvalid as exc:
        return AnchoredResult(VerifyResult(False, 0), None, source, invalid=exc.message)
    newest = found[-1] if found else None
    chain = audit_verify(anchor=newest.anchor if newest is not None else None)
    return AnchoredResult(chain, newest, source)
