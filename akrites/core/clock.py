"""The platform clock: ``now()`` everywhere instead of ``timezone.now()``.

Clocks (SLA, embargo, escalation) are driven by this function so that tests and drills can
move time explicitly with ``frozen(instant)`` / ``advance(delta)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.utils import timezone

_global_offset: list[timedelta] = [timedelta(0)]
_global_frozen: list[datetime | None] = [None]


def now() -> datetime:
    frozen = _global_frozen[0]
    if frozen is not None:
        return frozen
    return timezone.now() + _global_offset[0]


@contextmanager
def frozen(instant: datetime) -> Iterator[None]:
    """Freeze the clock at ``instant`` (timezone-aware) for the duration of the block."""
    if timezone.is_naive(instant):
        raise ValueError("frozen() needs a timezone-aware instant")
    previous = _global_frozen[0]
    _global_frozen[0] = instant
    try:
        yield
    finally:
        _global_frozen[0] = previous


def advance(delta: timedelta) -> None:
    """Move the (frozen or running) clock forward."""
    if _global_frozen[0] is not None:
        _global_frozen[0] = _global_frozen[0] + delta
    else:
        _global_offset[0] = _global_offset[0] + delta


def reset() -> None:
    _global_frozen[0] = None
    _global_offset[0] = timedelta(0)
