"""One delivery attempt: claim, send (outside any transaction), record the outcome.

The delivery row is the source of truth; tasks only carry its id. An attempt claims the row
with a conditional UPDATE (due, and not held by another attempt whose lease is still running),
so duplicate tasks are harmless no-ops. A failed attempt is rescheduled with exponential
backoff; after ``AKRITES_NOTIFY_MAX_ATTEMPTS`` the delivery is ``failed``, shown on the SIRT's
deliveries page and API, and a ``notification.failed`` event goes to the SIRT's digest. Every
status change is a transition of the table in ``notifications.lifecycle``, made (claims
included) by ``services.transitions.delivery_transition``.

Delivery is at least once: a worker killed after the server accepted a message but before the
outcome was written sends it again after its lease expires. Messages carry a stable
``X-Akrites-Delivery`` / ``Akrites-Delivery`` id so receivers can drop the duplicate.
"""

from __future__ import annotations

import logging
import random
import smtplib
import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from akrites.cases.models import Case
from akrites.core.clock import now
from akrites.notifications import email, recipients, webhooks
from akrites.notifications.errors import ChannelError
from akrites.notifications.models import Channel, Delivery, DeliveryStatus, DigestItem, Event
from akrites.notifications.services.outbox import notify
from akrites.notifications.services.transitions import delivery_claim, delivery_transition

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with ±20 % jitter so retries of one outage do not march in step."""
    base = settings.AKRITES_NOTIFY_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0))
    seconds = min(base, MAX_BACKOFF.total_seconds()) * random.uniform(0.8, 1.2)
    return timedelta(seconds=seconds)


def _claim(delivery_id: int) -> Delivery | None:
    if not delivery_claim(delivery_id=delivery_id, at=now()):
        return None
    return Delivery.objects.select_related("user", "subscription", "case__project").get(
        pk=delivery_id
    )


def error_code(exc: BaseException) -> str:
    """A short, content-free code for a failure (never the server's message text)."""
    if isinstance(exc, ChannelError):
        return exc.code
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"smtp_{exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = {code for code, _ in exc.recipients.values()}
        return f"smtp_{min(codes)}" if codes else "smtp_refused"
    # smtplib turns a read timeout into SMTPServerDisconnected; the timeout is its context.
    if isinstance(exc, socket.timeout | TimeoutError) or isinstance(
        exc.__context__ or exc.__cause__, socket.timeout | TimeoutError
    ):
        return "timeout"
    if isinstance(exc, ConnectionError | smtplib.SMTPServerDisconnected):
        return "connect_error"
    return type(exc).__name__[:60]


def delivery_attempt(*, delivery_id: int) -> str:
    """Try to deliver once. Returns the resulting status, or ``"skipped"`` if not claimable.

    Never raises for a channel failure (those become retries); the task that calls this must
    not fail on a bad server.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    try:
        _send(delivery)
    except Exception as exc:
        return _failed(delivery, error_code(exc))
    # The outcome is written only while this attempt still holds the delivery (``sending`` on
    # its attempt count): after a takeover, the late word of the old attempt changes nothing.
    done = delivery_transition(
        "deliver",
        delivery_id=delivery.pk,
        current=delivery.status,
        when=Q(attempts=delivery.attempts),
        finished_at=now(),
        encryption=delivery.encryption,
        last_error="",
        lease_until=None,
    )
    logger.info(
        "delivery %s (%s %s) delivered on attempt %s",
        delivery.pk,
        delivery.channel,
        delivery.kind,
        delivery.attempts,
    )
    return DeliveryStatus.DELIVERED if done else "skipped"


def _send(delivery: Delivery) -> None:
    if delivery.channel == Channel.WEBHOOK:
        sub = delivery.subscription
        event = delivery.event
        if sub is None or event is None or not sub.active:
            raise ChannelError("subscription_inactive")
        body = webhooks.payload(delivery, event, delivery.case)
        webhooks.post(
            url=sub.url, secret=sub.secret, delivery_id=delivery.pk, kind=delivery.kind, body=body
        )
        return
    if delivery.user is None and delivery.address:
        email.send(email.contact_notice(delivery))
        return
    state = recipients.address_state(delivery.user)
    if state != recipients.VERIFIED:
        raise ChannelError(state)
    cases, events = _contents(delivery)
    email.send(email.build_message(delivery, cases, events))


def _contents(delivery: Delivery) -> tuple[list[Case], list[Event]]:
    if delivery.kind != "digest":
        events = [delivery.event] if delivery.event else []
        return ([delivery.case] if delivery.case else []), events
    items = DigestItem.objects.filter(delivery=delivery).select_related("event")
    events = [i.event for i in items]
    case_ids = sorted({e.case_id for e in events if e.case_id})
    cases = list(Case.objects.select_related("project").filter(pk__in=case_ids).order_by("pk"))
    return cases, events


def _failed(delivery: Delivery, code: str) -> str:
    final = delivery.attempts >= settings.AKRITES_NOTIFY_MAX_ATTEMPTS or code in {
        recipients.NO_ADDRESS,
        recipients.UNVERIFIED,
        "subscription_inactive",
    }
    t = now()
    with transaction.atomic():
        changed = delivery_transition(
            "fail" if final else "back_off",
            delivery_id=delivery.pk,
            current=delivery.status,
            when=Q(attempts=delivery.attempts),
            next_attempt_at=t if final else t + backoff(delivery.attempts),
            finished_at=t if final else None,
            encryption=delivery.encryption,
            last_error=code,
            lease_until=None,
        )
        # A failure notice about a failure notice would loop; the page shows those anyway.
        if changed and final and delivery.kind != "notification.failed":
            notify(
                "notification.failed",
                case_id=None,
                actor=None,
                data={"delivery": delivery.pk, "channel": delivery.channel, "error": code},
            )
    if final:
        logger.warning(
            "delivery %s (%s %s) failed for good after %s attempts: %s",
            delivery.pk,
            delivery.channel,
            delivery.kind,
            delivery.attempts,
            code,
        )
        return DeliveryStatus.FAILED
    logger.info("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, code)
    if changed:
        _enqueue_retry(delivery.pk)
    return DeliveryStatus.PENDING


def _enqueue_retry(delivery_id: int) -> None:
    from akrites.notifications.tasks import attempt_delivery

    due = Delivery.objects.filter(pk=delivery_id).values_list("next_attempt_at", flat=True).first()
    try:
        attempt_delivery.using(run_after=due).enqueue(delivery_id=delivery_id)
    except Exception:
        logger.exception("could not enqueue retry of delivery %s (sweep will)", delivery_id)
