"""Webhook subscriptions of organisations, and the SIRT's retry of failed deliveries."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from akrites.access.policy import allowed, require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import audit_append
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import InvalidInput, NotFound
from akrites.notifications import rules
from akrites.notifications.destinations import literal_refusal
from akrites.notifications.models import Delivery, WebhookSubscription
from akrites.notifications.services.transitions import delivery_transition
from akrites.orgs.models import Organisation

MAX_KINDS = 50


# A host name as it can be resolved: letters, digits, hyphens, dots (and IDNA, which the
# delivery encodes); or an IPv6 literal, whose brackets urlsplit has already removed.
_HOST = re.compile(r"^(?:[\w-]+(?:\.[\w-]+)*\.?|[0-9a-f:.]+(?:%[\w.-]+)?)$", re.IGNORECASE)


def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise InvalidInput("url", "Not a valid URL.") from None
    if parts.hostname and not _HOST.match(parts.hostname):
        raise InvalidInput("url", "Not a valid host name.")
    allowed = {"https"} | ({"http"} if settings.AKRITES_WEBHOOK_ALLOW_HTTP else set())
    if parts.scheme not in allowed or not parts.hostname:
        raise InvalidInput("url", "Give an https:// URL.")
    if parts.username or parts.password:
        raise InvalidInput("url", "Credentials in the URL are not accepted; verify signatures.")
    if len(url) > 500:
        raise InvalidInput("url", "At most 500 characters.")
    refusal = literal_refusal(parts.hostname)
    if refusal is not None:
        raise InvalidInput("url", refusal)
    return url.strip()


def _check_kinds(kinds: list[str]) -> list[str]:
    known = set(rules.RULES) | {"*"}
    if not kinds or len(kinds) > MAX_KINDS:
        raise InvalidInput("events", f"Name between 1 and {MAX_KINDS} event kinds, or '*'.")
    unknown = sorted(set(kinds) - known)
    if unknown:
        raise InvalidInput("events", f"Unknown event kind: {unknown[0][:60]}")
    return sorted(set(kinds))


@transaction.atomic
def webhook_subscribe(
    *, actor: Actor, org: Organisation, url: str, events: list[str]
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``org``'s endpoint; return the subscription and its signing secret.

    The secret is returned once, here; it is stored encrypted and never shown again.
    Raises NotFound (not allowed for this organisation) or InvalidInput (url, events).
    """
    require(actor, "webhook.manage", org)
    secret = "whsec_" + secrets.token_urlsafe(32)
    sub = WebhookSubscription.objects.create(
        organisation=org,
        url=_check_url(url),
        secret=secret,
        event_kinds=_check_kinds(events),
        created_by=user_or_none(actor),
        created_at=now(),
    )
    audit_append(
        actor=actor,
        action="webhook.subscribe",
        object_type="webhook",
        object_id=str(sub.pk),
        data={"org": org.slug, "events": sub.event_kinds},
    )
    return sub, secret


@transaction.atomic
def webhook_unsubscribe(*, actor: Actor, subscription: WebhookSubscription) -> None:
    """Deactivate a subscription (kept for its delivery log); NotFound if not allowed."""
    require(actor, "webhook.manage", subscription.organisation)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False)
    audit_append(
        actor=actor,
        action="webhook.unsubscribe",
        object_type="webhook",
        object_id=str(subscription.pk),
        data={"org": subscription.organisation.slug},
    )


@transaction.atomic
def delivery_retry(*, actor: Actor, delivery_id: int) -> Delivery:
    """SIRT: give a failed delivery a fresh round of attempts (after fixing the cause).

    NotFound for anyone else, as for a delivery that does not exist or has not failed.
    """
    if not allowed(actor, "notifications.deliveries"):
        raise NotFound()
    retried = delivery_transition(
        "retry", delivery_id=delivery_id, attempts=0, next_attempt_at=now(), finished_at=None
    )
    if not retried:
        raise NotFound()
    audit_append(
        actor=actor,
        action="notifications.retry",
        object_type="delivery",
        object_id=str(delivery_id),
        data={},
    )
    from akrites.notifications.services.dispatch import enqueue_attempts

    transaction.on_commit(lambda: enqueue_attempts([delivery_id]))
    return Delivery.objects.get(pk=delivery_id)
