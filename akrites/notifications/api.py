"""Notification endpoints: webhook subscriptions and their delivery log; the SIRT's deliveries."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from akrites.notifications import selectors
from akrites.notifications.models import Delivery, WebhookSubscription
from akrites.notifications.services import subscriptions

router = Router(tags=["notifications"])


class DeliveryOut(Schema):
    id: int
    channel: str
    kind: str
    recipient: str
    case: str | None
    status: str
    encryption: str
    items: int
    attempts: int
    last_error: str
    created_at: datetime
    last_attempt_at: datetime | None
    finished_at: datetime | None


class SubscriptionIn(Schema):
    organisation: str
    url: str
    events: list[str]


class SubscriptionOut(Schema):
    id: int
    organisation: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str


def _delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.pk,
        channel=d.channel,
        kind=d.kind,
        recipient=d.recipient_label,
        case=d.case.human_id if d.case else None,
        status=d.status,
        encryption=d.encryption,
        items=d.items,
        attempts=d.attempts,
        last_error=d.last_error,
        created_at=d.created_at,
        last_attempt_at=d.last_attempt_at,
        finished_at=d.finished_at,
    )


def _sub_out(s: WebhookSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=s.pk,
        organisation=s.organisation.slug,
        url=s.url,
        events=s.event_kinds,
        active=s.active,
        created_at=s.created_at,
    )


@router.get("/deliveries", response=list[DeliveryOut])
def list_deliveries(
    request: HttpRequest, status: str | None = None, limit: int = 100
) -> list[DeliveryOut]:
    """SIRT only: every delivery, newest first; ``?status=failed`` for the failures."""
    found = selectors.delivery_list(viewer=request.user, status=status, limit=limit)
    return [_delivery_out(d) for d in found]


@router.post("/deliveries/{delivery_id}/retry", response=DeliveryOut)
def retry_delivery(request: HttpRequest, delivery_id: int) -> DeliveryOut:
    return _delivery_out(subscriptions.delivery_retry(actor=request.user, delivery_id=delivery_id))


@router.get("/webhooks", response=list[SubscriptionOut])
def list_webhooks(request: HttpRequest) -> list[SubscriptionOut]:
    return [_sub_out(s) for s in selectors.subscription_list(viewer=request.user)]


@router.post("/webhooks", response={201: SubscriptionCreated})
def create_webhook(request: HttpRequest, payload: SubscriptionIn) -> Status[SubscriptionCreated]:
    org = selectors.organisation_for_webhooks(viewer=request.user, slug=payload.organisation)
    sub, secret = subscriptions.webhook_subscribe(
        actor=request.user, org=org, url=payload.url, events=payload.events
    )
    return Status(201, SubscriptionCreated(**_sub_out(sub).dict(), secret=secret))


@router.delete("/webhooks/{subscription_id}", response={204: None})
def delete_webhook(request: HttpRequest, subscription_id: int) -> Status[None]:
    sub = selectors.subscription_get(viewer=request.user, subscription_id=subscription_id)
    subscriptions.webhook_unsubscribe(actor=request.user, subscription=sub)
    return Status(204, None)


@router.get("/webhooks/{subscription_id}/deliveries", response=list[DeliveryOut])
def webhook_deliveries(request: HttpRequest, subscription_id: int) -> list[DeliveryOut]:
    sub = selectors.subscription_get(viewer=request.user, subscription_id=subscription_id)
    found = selectors.subscription_deliveries(viewer=request.user, subscription=sub)
    return [_delivery_out(d) for d in found]
