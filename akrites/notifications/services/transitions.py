"""The one place a delivery changes status: ``delivery_transition``, driven by the table in
``notifications.lifecycle``.

Deliveries are never locked and saved: every change is one conditional UPDATE on the row's id
and a source state of the table (plus the caller's own conditions: the attempt count, the
lease), so of two racing callers exactly one moves the delivery and the other gets False.
Callers own the rest: the attempt records its outcome, the SIRT's retry its audit entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, Q

from akrites.core.stateguard import transitioning
from akrites.notifications.lifecycle import MACHINE, SENDING_LEASE
from akrites.notifications.models import Delivery, DeliveryStatus


def delivery_transition(
    name: str,
    *,
    delivery_id: int,
    current: str | None = None,
    when: Q | None = None,
    **changes: Any,
) -> bool:
    """Move delivery ``delivery_id`` along transition ``name``, setting ``changes`` with it.

    ``current`` is the state the caller holds the delivery in (its claim): Conflict if the
    table does not allow ``name`` from it, and the row must still be in it. Without it, the
    row must be in one of the transition's source states. ``when`` adds conditions. Returns
    True if this call moved the delivery; False if it was not (or no longer) in such a state.
    """
    if "status" in changes:
        raise ValueError("the status is the table's to set")
    if current is None:
        transition = MACHINE.get(name)
        sources = sorted(transition.sources)
    else:
        transition = MACHINE.step(name, current)
        sources = [current]
    rows = Delivery.objects.filter(pk=delivery_id, status__in=sources)
    if when is not None:
        rows = rows.filter(when)
    with transitioning(MACHINE.name):
        moved = rows.update(status=transition.target, **changes)
    return moved == 1


def delivery_claim(*, delivery_id: int, at: datetime) -> bool:
    """Claim a due delivery for one attempt (``claim``): True if this caller now holds it.

    Takes a ``pending`` delivery whose ``next_attempt_at`` has come, or a ``sending`` one whose
    lease ran out (the attempt holding it died), sets a fresh lease and counts the attempt.
    """
    free = Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, lease_until__lt=at)
    return delivery_transition(
        "claim",
        delivery_id=delivery_id,
        when=Q(next_attempt_at__lte=at) & free,
        lease_until=at + SENDING_LEASE,
        attempts=F("attempts") + 1,
        last_attempt_at=at,
    )
