"""Telling people: the notifications outbox as seen from every layer below it.

Services record that something happened (``notify``, ``notify_each``) inside their own
transaction; ``akrites.notifications`` provides both hooks (``NotificationsConfig.ready``)
and decides who hears of it, how and when, after commit. ``data`` holds identifiers and
enumerations only, never content.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from akrites.core.actors import Actor
from akrites.core.hooks import hook


@hook
def notify(
    event: str,
    *,
    case_id: int | None,
    actor: Actor | None,
    data: Mapping[str, str | int] | None = None,
) -> Any:
    """Record one event (kind ``event``) about ``case_id`` in the current transaction."""
    raise NotImplementedError


@hook
def notify_each(
    event: str,
    *,
    case_ids: Sequence[int | None],
    actor: Actor | None,
    data: Mapping[str, str | int] | None = None,
) -> Any:
    """Record one event of kind ``event`` per case id, in one statement (bulk intake)."""
    raise NotImplementedError
