"""Reads for notifications; visibility is applied inside."""

from __future__ import annotations

from django.db.models import QuerySet

from akrites.access.policy import allowed, require
from akrites.accounts.actors import user_of
from akrites.core.actors import Actor
from akrites.core.errors import NotFound
from akrites.notifications.models import Delivery, Preference, WebhookSubscription
from akrites.orgs.models import Organisation

MAX_ROWS = 500


def delivery_list(*, viewer: Actor, status: str | None = None, limit: int = 100) -> list[Delivery]:
    """The SIRT's delivery log, newest first; NotFound for anyone else (as if it did not exist)."""
    if not allowed(viewer, "notifications.deliveries"):
        raise NotFound()
    qs: QuerySet[Delivery] = Delivery.objects.select_related("case")
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-created_at", "-id")[: max(1, min(limit, MAX_ROWS))])


def preference_get(*, viewer: Actor) -> Preference:
    """The viewer's own preferences (unsaved defaults if they never set any)."""
    require(viewer, "notifications.preferences")
    user = user_of(viewer)
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def organisation_for_webhooks(*, viewer: Actor, slug: str) -> Organisation:
    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        raise NotFound()
    require(viewer, "webhook.manage", org)
    return org


def subscription_get(*, viewer: Actor, subscription_id: int) -> WebhookSubscription:
    sub = (
        WebhookSubscription.objects.select_related("organisation")
        .filter(pk=subscription_id)
        .first()
    )
    if sub is None:
        raise NotFound()
    require(viewer, "webhook.manage", sub.organisation)
    return sub


def subscription_list(*, viewer: Actor) -> list[WebhookSubscription]:
    """Subscriptions of every organisation the viewer manages webhooks for."""
    subs = WebhookSubscription.objects.select_related("organisation").order_by("pk")
    return [s for s in subs if allowed(viewer, "webhook.manage", s.organisation)]


def subscription_deliveries(
    *, viewer: Actor, subscription: WebhookSubscription, limit: int = 100
) -> list[Delivery]:
    require(viewer, "webhook.manage", subscription.organisation)
    qs = subscription.deliveries.select_related("case").order_by("-created_at", "-id")
    return list(qs[: max(1, min(limit, MAX_ROWS))])
