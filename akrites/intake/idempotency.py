"""``Idempotency-Key``: a retried submission gets the first answer, never a second report.

The answer and the key record commit in the same transaction as the reports. Two concurrent
requests with one key cannot both commit: the second fails on the unique (user, key) row,
its transaction (reports included) rolls back, and it returns the first answer instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from akrites.core.clock import now
from akrites.core.errors import InvalidInput
from akrites.intake.models import IdempotencyRecord

MAX_KEY = 200
# Response header telling a client the answer is the stored first answer, not a new one.
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False


def request_digest(*parts: bytes | str | None) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else (part or b"")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def _replay(user: Any, key: str, digest: str) -> Answer | None:
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:
        return None
    if record.request_digest != digest:
        raise InvalidInput("Idempotency-Key", "this key was used for a different request")
    return Answer(record.status_code, json.loads(record.response), replayed=True)


def idempotent(
    *, user: Any, key: str | None, digest: str, produce: Callable[[], tuple[int, Any]]
) -> Answer:
    """Run ``produce`` once per (user, key); replay its answer for later identical requests.

    Only successful answers are kept: a request that failed stored nothing, so its retry is
    simply processed again. Raises InvalidInput when a key is reused for another request.
    """
    if key is None:
        return Answer(*produce())
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise InvalidInput("Idempotency-Key", f"1 to {MAX_KEY} printable characters")
    if not getattr(user, "is_authenticated", False):
        raise InvalidInput("Idempotency-Key", "needs an authenticated request")
    replay = _replay(user, key, digest)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            status, body = produce()
            IdempotencyRecord.objects.create(
                user=user,
                key=key,
                request_digest=digest,
                status_code=status,
                response=json.dumps(body, default=str),
                created_at=now(),
            )
    except IntegrityError:
        # A concurrent request with the same key committed first: answer as it did.
        replay = _replay(user, key, digest)
        if replay is None:
            raise
        return replay
    return Answer(status, body)
