"""The outbox: other apps record events inside their own transaction.

``notify`` / ``notify_each`` write ``Event`` rows in the caller's transaction (so an event exists
exactly when the change it describes committed) and, on commit, enqueue one dispatch task.
If that enqueue is lost (the process dies between commit and enqueue, the queue is down), the
periodic sweep finds the undispatched events. Neither function sends anything, and neither
raises for a notification problem: a case transition must never fail because of mail.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from akrites.accounts.actors import user_or_none
from akrites.accounts.models import User
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.notifications.models import Event

logger = logging.getLogger(__name__)

# Event data is for identifiers and short codes (statuses, severities, counts). Anything that
# could be prose — a title, a reason, a report body — is refused here, so it cannot reach a
# mail, a payload or a log through the outbox.
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_.:\-]{0,64}")
_SAFE_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _clean(data: Mapping[str, Any] | None) -> dict[str, str | int]:
    clean: dict[str, str | int] = {}
    for key, value in (data or {}).items():
        if not _SAFE_KEY.fullmatch(key):
            logger.warning("notification data key dropped (not an identifier)")
            continue
        if isinstance(value, bool) or not isinstance(value, int | str):
            logger.warning("notification data %s dropped (not str or int)", key)
            continue
        if isinstance(value, str) and not _SAFE_VALUE.fullmatch(value):
            logger.warning("notification data %s dropped (not an identifier)", key)
            continue
        clean[key] = value
    return clean


def _actor_user(actor: Actor | None) -> User | None:
    user = user_or_none(actor)
    return user if user is not None and user.pk else None


def notify(
    event: str,
    *,
    case_id: int | None,
    actor: Actor | None,
    data: Mapping[str, str | int] | None = None,
) -> Event:
    """Record one event in the current transaction and dispatch it after commit.

    ``data`` holds identifiers only (``[A-Za-z0-9_.:-]``, at most 64 characters, or ints);
    other values are dropped with a warning that names the key. The actor is not notified of
    their own action.
    """
    return notify_each(event, case_ids=[case_id], actor=actor, data=data)[0]


def notify_each(
    event: str,
    *,
    case_ids: Sequence[int | None],
    actor: Actor | None,
    data: Mapping[str, str | int] | None = None,
) -> list[Event]:
    """Record one event of kind ``event`` per case id (``None``: no case) with one INSERT.

    For batches (a bulk submission records a thousand reports in one transaction): a constant
    number of queries and a single dispatch task, whatever the batch size.
    """
    if not case_ids:
        return []
    clean = _clean(data)
    at = now()
    user = _actor_user(actor)
    events = Event.objects.bulk_create(
        Event(kind=event[:60], case_id=case_id, actor=user, data=clean, created_at=at)
        for case_id in case_ids
    )
    ids = [e.pk for e in events]
    transaction.on_commit(lambda: enqueue_dispatch(ids))
    return events


def enqueue_dispatch(event_ids: list[int]) -> None:
    """Enqueue the dispatch task; a failure is logged and left to the sweep."""
    from akrites.notifications.tasks import dispatch_events

    try:
        dispatch_events.enqueue(event_ids=event_ids)
    except Exception:
        logger.exception(
            "could not enqueue dispatch of %d events (sweep will retry)", len(event_ids)
        )
