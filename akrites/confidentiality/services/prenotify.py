"""Pre-notification on the maintainers' terms: whom to tell, when, and their acceptance.

A grant tells one person of a member (or downstream) organisation about a case at
``notify_at``; they see nothing until then, and nothing but the terms until they accept
them. Revocation and publication end access at once (``access.policy`` reads grants live).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from akrites.access.policy import require
from akrites.accounts.actors import user_of
from akrites.audit.services import audit_append
from akrites.cases.models import Case, CaseParticipant
from akrites.confidentiality.models import Embargo, GrantRole, PrenotificationGrant
from akrites.confidentiality.services.consent import require_prenotify
from akrites.confidentiality.services.embargo import locked_embargo
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput, NotFound
from akrites.core.outbox import notify
from akrites.orgs.models import Membership, Organisation, OrgKind, Role

TERMS_VERSION = "2026-1"
_ROLE_FOR_KIND: dict[str, str] = {
    OrgKind.MEMBER: GrantRole.OBSERVER,
    OrgKind.DOWNSTREAM: GrantRole.DOWNSTREAM,
}
# Who of the organisation is told: a member's observers and its administrators (an
# organisation may have only an administrator), a downstream's contacts.
_MEMBER_ROLES: dict[str, tuple[str, ...]] = {
    GrantRole.OBSERVER: (Role.MEMBER_OBSERVER, Role.MEMBER_ADMIN),
    GrantRole.DOWNSTREAM: (Role.DOWNSTREAM,),
}
# The outbox event that tells one person they were pre-notified (notifications.rules): it
# names the person and the case id; the mail is a link, never the case's content.
TOLD_EVENT = "prenotify.told"


def embargo_terms(*, case: Case, embargo: Embargo) -> str:
    """The text an observer accepts. Names the case id and the instant, never its content."""
    return (
        f"Embargo terms {TERMS_VERSION} for {case.human_id}. Until "
        f"{embargo.ends_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC you will not disclose, publish "
        "or share anything about this vulnerability outside the people in your organisation "
        "who need it to protect your users; you will not commit fixes to public repositories; "
        "and you will tell the Akrites SIRT at once if you learn it is public or exploited. "
        "Your reads are recorded. Access ends at publication or when it is withdrawn."
    )


def terms_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def working_days_between(start: datetime, end: datetime) -> int:
    """Weekdays (Mon-Fri, UTC) from ``start``'s date up to, not including, ``end``'s date."""
    day, last = start.astimezone(UTC).date(), end.astimezone(UTC).date()
    count = 0
    while day < last:
        if day.weekday() < 5:
            count += 1
        day += timedelta(days=1)
    return count


def _check_lead_time(notify_at: datetime, ends_at: datetime) -> None:
    low = int(settings.AKRITES_PRENOTIFY_MIN_WORKING_DAYS)
    high = int(settings.AKRITES_PRENOTIFY_MAX_WORKING_DAYS)
    lead = working_days_between(notify_at, ends_at)
    if not low <= lead <= high:
        raise InvalidInput(
            "notify_at", f"tell members {low} to {high} working days before the embargo ends"
        )


@transaction.atomic
def prenotify_grant(
    *,
    actor: Actor,
    case: Case,
    organisation: Organisation,
    notify_at: datetime | None = None,
    include_report: bool = False,
) -> list[PrenotificationGrant]:
    """The maintainers (or the SIRT lead with their consent) tell ``organisation``'s observers
    and administrators (or downstream contacts) at ``notify_at`` (default: now). Needs
    step-up. Each person told now gets a notification through the outbox (``TOLD_EVENT``).
    Raises PermissionDenied (the SIRT lead without the consent: ``CONSENT_MISSING``),
    InvalidInput for an organisation that is not a member or downstream, a lead time outside
    policy, or nobody to tell."""
    from akrites.cases.services import participant_add  # cases.services imports policy.

    require_prenotify(actor, "prenotify.grant", case)
    embargo = locked_embargo(case)
    role = _ROLE_FOR_KIND.get(organisation.kind)
    if role is None:
        raise InvalidInput("organisation", "only member and downstream organisations")
    at = now()
    notify_at = notify_at or at
    if notify_at.tzinfo is None:
        raise InvalidInput("notify_at", "give a time zone (UTC: a trailing Z)")
    notify_at = max(notify_at, at)
    _check_lead_time(notify_at, embargo.ends_at)
    memberships = Membership.objects.filter(
        organisation=organisation, role__in=_MEMBER_ROLES[role]
    ).select_related("user")
    # One grant per person, whichever of the roles they hold.
    people = list({m.user_id: m for m in memberships.order_by("user_id")}.values())
    if not people:
        raise InvalidInput("organisation", "the organisation has nobody to tell")
    taken = set(
        PrenotificationGrant.objects.filter(case=case, role=role).values_list("user_id", flat=True)
    )
    if taken & {m.user_id for m in people}:
        raise Conflict("someone in this organisation already has a grant on this case")
    grants = []
    for membership in people:
        participant_add(actor=actor, case=case, user=membership.user, role=role)
        grants.append(
            PrenotificationGrant.objects.create(
                case=case,
                user=membership.user,
                organisation=organisation,
                role=role,
                notify_at=notify_at,
                include_report=include_report,
                decided_by=user_of(actor),
                created_at=at,
            )
        )
    if notify_at <= at:
        # A grant for later sends no mail (no event is scheduled for ``notify_at``); the
        # person's inbox shows the case from then on.
        for grant in grants:
            notify(TOLD_EVENT, case_id=case.pk, actor=actor, data={"user": grant.user_id})
    audit_append(
        actor=actor,
        action="prenotify.grant",
        object_type="case",
        object_id=case.human_id,
        data={
            "org": organisation.slug,
            "user_ids": [g.user_id for g in grants],
            "notify_at": notify_at.isoformat(),
            "include_report": include_report,
        },
    )
    # The maintainers' record; observers never read MAINTAINERS entries, so no member learns
    # which other organisations were told.
    from akrites.cases.models import Visibility
    from akrites.cases.services import timeline_record

    timeline_record(
        actor=actor,
        case=case,
        kind="prenotify_granted",
        visibility=Visibility.MAINTAINERS,
        reason=f"{organisation.name}: {len(grants)} person(s) told from "
        f"{notify_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
    )
    return grants


@transaction.atomic
def terms_accept(*, actor: Actor, case: Case) -> PrenotificationGrant:
    """Record that ``actor`` accepts the embargo terms (idempotent). Until this, a pre-notified
    person sees nothing of the case."""
    require(actor, "embargo.accept_terms", case)
    embargo = locked_embargo(case)
    grant = (
        PrenotificationGrant.objects.select_for_update()
        .filter(case=case, user=user_of(actor), revoked_at__isnull=True, notify_at__lte=now())
        .order_by("id")
        .first()
    )
    if grant is None:
        raise NotFound()
    if grant.accepted_at is not None:
        return grant
    digest = terms_digest(embargo_terms(case=case, embargo=embargo))
    PrenotificationGrant.objects.filter(
        case=case, user=user_of(actor), revoked_at__isnull=True, accepted_at__isnull=True
    ).update(accepted_at=now(), terms_digest=digest)
    audit_append(
        actor=actor,
        action="embargo.accept_terms",
        object_type="case",
        object_id=case.human_id,
        data={"terms": TERMS_VERSION, "digest": digest},
    )
    from akrites.cases.models import Visibility
    from akrites.cases.services import timeline_record

    timeline_record(
        actor=actor,
        case=case,
        kind="terms_accepted",
        visibility=Visibility.MAINTAINERS,
        reason=f"{grant.organisation.name}: embargo terms {TERMS_VERSION} accepted",
    )
    grant.refresh_from_db()
    return grant


@transaction.atomic
def prenotify_revoke(*, actor: Actor, case: Case, user: Any) -> None:
    """Withdraw every grant ``user`` holds on ``case``; their next request sees nothing."""
    from akrites.cases.services import participant_revoke

    require(actor, "prenotify.revoke", case)
    revoked = PrenotificationGrant.objects.filter(
        case=case, user=user, revoked_at__isnull=True
    ).update(revoked_at=now())
    active = CaseParticipant.objects.filter(
        case=case, user=user, role__in=list(GrantRole.values), revoked_at__isnull=True
    ).values_list("role", flat=True)
    roles = list(active)
    for role in roles:
        participant_revoke(actor=actor, case=case, user=user, role=role)
    if not (revoked or roles):
        raise NotFound()
    audit_append(
        actor=actor,
        action="prenotify.revoke",
        object_type="case",
        object_id=case.human_id,
        data={"user_id": user.pk},
    )
    from akrites.cases.models import Visibility
    from akrites.cases.services import timeline_record

    names = PrenotificationGrant.objects.filter(case=case, user=user).values_list(
        "organisation__name", flat=True
    )
    timeline_record(
        actor=actor,
        case=case,
        kind="prenotify_revoked",
        visibility=Visibility.MAINTAINERS,
        reason=f"access of {user.get_username()} ({', '.join(sorted(set(names))) or '-'}) "
        "withdrawn",
    )
