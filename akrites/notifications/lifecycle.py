"""The delivery lifecycle: one state (``Delivery.status``), one table of allowed transitions.

Every change of a delivery's status is one conditional UPDATE made by
``services.transitions.delivery_transition``, which takes the sources and the target from this
table, so two attempts (or an attempt and the SIRT) racing for one delivery cannot both move it.
Deliveries are created ``pending`` (the dispatcher, the digests). ``docs/delivery-lifecycle.md``
is generated from this table by ``akrites docs delivery``.
"""

from __future__ import annotations

from datetime import timedelta

from akrites.core.statemachine import Machine, Transition
from akrites.notifications.models import DeliveryStatus as D

# Not a policy action: the transitions only the delivery worker makes (the ``attempt_delivery``
# task in ``akrites worker``, a host process). No request path reaches them.
WORKER = "system:worker"
# How long a claim holds a delivery; after it, another attempt may take the delivery over.
SENDING_LEASE = timedelta(minutes=5)


def _t(
    name: str,
    sources: frozenset[str],
    target: str,
    action: str,
    service: str,
    description: str,
) -> Transition:
    return Transition(name, sources, target, action, description, service=service)


# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    _t("claim", frozenset({D.PENDING, D.SENDING}), D.SENDING, WORKER, "delivery_attempt",
       "an attempt takes a due delivery with a lease (from `sending` only once the lease of "
       "the attempt holding it ran out: that attempt died)"),
    _t("deliver", frozenset({D.SENDING}), D.DELIVERED, WORKER, "delivery_attempt",
       "the server or endpoint accepted the message"),
    _t("back_off", frozenset({D.SENDING}), D.PENDING, WORKER, "delivery_attempt",
       "the attempt failed; the next one is due after an exponential backoff"),
    _t("fail", frozenset({D.SENDING}), D.FAILED, WORKER, "delivery_attempt",
       "the last attempt failed, or the failure cannot be retried (no address, inactive "
       "subscription)"),
    _t("retry", frozenset({D.FAILED}), D.PENDING, "notifications.deliveries",
       "delivery_retry", "the SIRT gives a failed delivery a fresh round of attempts"),
)
# fmt: on

INITIAL = D.PENDING
MACHINE = Machine(
    name="delivery",
    title="Delivery lifecycle",
    table="akrites/notifications/lifecycle.py",
    doc="delivery-lifecycle.md",
    initial=INITIAL,
    transitions=TRANSITIONS,
    finals=frozenset({D.DELIVERED}),
    notes=(
        "A delivery is one message to one recipient on one channel (or one digest); it is "
        "created `pending` by the dispatcher or the digest scheduler, and its content is "
        "composed at send time, never stored.",
        f"`{WORKER}` is not a policy action: only the delivery worker (the `attempt_delivery` "
        "task run by `akrites worker`) makes those transitions; no request reaches them. "
        "`retry` needs `notifications.deliveries` (the SIRT); anyone else gets 404, as for a "
        "delivery that does not exist or has not failed.",
        "Each transition is one conditional UPDATE on the delivery's id and a source state of "
        "this table, so of two racing callers one moves the delivery and the other finds "
        "nothing to do (a task that runs twice is a no-op).",
        "`claim` takes a delivery whose `next_attempt_at` has come, sets a lease "
        f"(`lease_until`, {SENDING_LEASE.total_seconds() / 60:g} minutes) and counts the "
        "attempt. An attempt's outcome "
        "(`deliver`, `back_off`, `fail`) is written only while the delivery is still `sending` "
        "on that attempt's count: after a takeover the late outcome of the old attempt changes "
        "nothing. Delivery is therefore at least once; messages carry a stable delivery id "
        "(`X-Akrites-Delivery`, `Akrites-Delivery`) so receivers can drop a duplicate.",
        "`fail` comes after `AKRITES_NOTIFY_MAX_ATTEMPTS` attempts, or at once for a recipient "
        "without an address or an inactive subscription; it puts a `notification.failed` "
        "event in the SIRT's digest (except for a failed failure notice) and shows on the "
        "SIRT's deliveries page and API. Retrying resets the attempt count and is audited as "
        "`notifications.retry`. The periodic sweep re-enqueues overdue `pending` deliveries "
        "and `sending` ones whose lease ran out; it changes no status itself.",
    ),
)
BY_NAME: dict[str, Transition] = MACHINE.by_name


def markdown_document() -> str:
    return MACHINE.markdown()
