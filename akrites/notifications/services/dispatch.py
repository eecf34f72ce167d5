"""Fan-out: turn outbox events into deliveries (now) or digest items (later).

``events_dispatch`` claims events and writes every delivery and digest item for them in one
transaction, so an event is fanned out exactly once even when several workers (or a worker
and the sweep) receive the same ids. Sending happens afterwards, in one task per delivery.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from akrites.cases.models import Case
from akrites.core.clock import now
from akrites.notifications import recipients, rules
from akrites.notifications.models import (
    Channel,
    Delivery,
    DigestItem,
    Event,
    Preference,
    WebhookSubscription,
)

logger = logging.getLogger(__name__)


@dataclass
class _Plan:
    deliveries: list[Delivery] = field(default_factory=list)
    digest_items: list[DigestItem] = field(default_factory=list)
    # Immediate mails per user in the last hour (the quota), counted as the plan grows.
    sent_last_hour: dict[int, int] = field(default_factory=dict)


def digest_scope(case: Case | None) -> str:
    return f"project:{case.project_id}" if case is not None else "platform"


def events_dispatch(*, event_ids: list[int]) -> list[int]:
    """Fan out the undispatched events among ``event_ids``; return the new delivery ids.

    Safe to call repeatedly and concurrently with the same ids: each event is claimed (on
    PostgreSQL with ``FOR UPDATE SKIP LOCKED``; on SQLite the transaction holds the single
    writer lock from its start) and marked dispatched in the transaction that writes its
    deliveries.
    """
    with transaction.atomic():
        events = list(
            Event.objects.select_for_update(skip_locked=True)
            .filter(pk__in=event_ids, dispatched_at__isnull=True)
            .order_by("pk")
        )
        if not events:
            return []
        plan = _plan(events)
        Delivery.objects.bulk_create(plan.deliveries)
        DigestItem.objects.bulk_create(plan.digest_items)
        Event.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=now())
        ids = [d.pk for d in plan.deliveries if d.status == "pending"]
        transaction.on_commit(lambda: enqueue_attempts(ids))
    logger.info(
        "dispatched %d events: %d deliveries, %d digest items",
        len(events),
        len(plan.deliveries),
        len(plan.digest_items),
    )
    return ids


def enqueue_attempts(delivery_ids: list[int]) -> None:
    from akrites.notifications.tasks import attempt_delivery

    for delivery_id in delivery_ids:
        try:
            attempt_delivery.enqueue(delivery_id=delivery_id)
        except Exception:
            logger.exception("could not enqueue delivery %s (sweep will retry)", delivery_id)


def _plan(events: list[Event]) -> _Plan:
    case_ids = {e.case_id for e in events if e.case_id}
    cases = {c.pk: c for c in Case.objects.select_related("project").filter(pk__in=case_ids)}
    aud = recipients.audience(cases.values())
    contacts = recipients.anonymous_contacts(
        {e.case_id for e in events if e.case_id and e.kind in recipients.CONTACT_KINDS}
    )
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=aud.users)}
    plan = _Plan()
    platform = recipients.sirt_users() if any(e.case_id is None for e in events) else []
    since = now() - timedelta(hours=1)
    hooks = list(WebhookSubscription.objects.filter(active=True).select_related("organisation"))
    hook_cache: dict[tuple[int, int | None, str], bool] = {}
    for event in events:
        case = cases.get(event.case_id) if event.case_id else None
        critical = rules.is_critical(kind=event.kind, data=event.data, case=case)
        rule = rules.rule_for(event.kind)
        if case is None:
            people: dict[int, set[str]] = {u.pk: {rules.SIRT} for u in platform}
            users = {u.pk: u for u in platform}
        elif event.kind in rules.ADDRESSED:
            people = recipients.addressed(aud, case, event.data.get("user"))
            users = aud.users
        else:
            people = {
                uid: roles
                for uid, roles in aud.for_case(case.pk).items()
                if case.pk in aud.visible.get(uid, set())
            }
            users = aud.users
        for uid, roles in people.items():
            wanted = [rule[r] for r in roles if r in rule]
            if not wanted or (event.actor_id is not None and uid == event.actor_id):
                continue
            user = users[uid]
            if case is not None and not recipients.may_know(user, case, event.kind):
                continue
            urgent = critical or rules.NOW in wanted
            _route(plan, event, case, user, urgent, critical, prefs.get(uid), since)
        if case is not None and event.kind in recipients.CONTACT_KINDS:
            for address, report_id in contacts.get(case.pk, {}).items():
                if event.data.get("by_report") == report_id:
                    continue  # the anonymous author of the message
                plan.deliveries.append(
                    Delivery(
                        channel=Channel.EMAIL,
                        kind=event.kind,
                        event=event,
                        case=case,
                        address=address,
                        recipient_label=f"reporter of {report_id}",
                        urgent=True,
                    )
                )
        for hook in hooks:
            kinds = hook.event_kinds
            if kinds and "*" not in kinds and event.kind not in kinds:
                continue
            key = (hook.organisation_id, event.case_id, event.kind)
            if key not in hook_cache:
                hook_cache[key] = recipients.org_may_know(
                    hook.organisation_id, hook.organisation.kind, case, event.kind
                )
            if hook_cache[key]:
                plan.deliveries.append(
                    Delivery(
                        channel=Channel.WEBHOOK,
                        kind=event.kind,
                        event=event,
                        case=case,
                        subscription=hook,
                        recipient_label=hook.organisation.slug,
                        urgent=critical,
                    )
                )
    return plan


def _route(
    plan: _Plan,
    event: Event,
    case: Case | None,
    user: Any,
    urgent: bool,
    critical: bool,
    pref: Preference | None,
    since: Any,
) -> None:
    """Mail now, or hold for the digest.

    Held: anything not urgent; urgent events for people who chose digests only (unless
    critical); and anything over the hourly quota — critical included, so a flood of
    "critical" reports still cannot bury a maintainer. Only an embargo break ignores the quota.
    """
    if urgent and not critical and pref is not None and pref.digest_only:
        urgent = False
    if urgent and event.kind not in rules.ALWAYS_NOW:
        if user.pk not in plan.sent_last_hour:
            plan.sent_last_hour[user.pk] = Delivery.objects.filter(
                user_id=user.pk, channel=Channel.EMAIL, urgent=True, created_at__gte=since
            ).count()
        if plan.sent_last_hour[user.pk] >= settings.AKRITES_NOTIFY_HOURLY_QUOTA:
            urgent = False
    if not urgent:
        plan.digest_items.append(DigestItem(user=user, scope=digest_scope(case), event=event))
        return
    plan.sent_last_hour[user.pk] = plan.sent_last_hour.get(user.pk, 0) + 1
    plan.deliveries.append(
        Delivery(
            channel=Channel.EMAIL,
            kind=event.kind,
            event=event,
            case=case,
            user=user,
            recipient_label=user.get_username(),
            urgent=True,
        )
    )
