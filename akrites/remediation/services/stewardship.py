"""SIRT stewardship: the SIRT as maintainer of last resort, its release plan and hand-back."""

from __future__ import annotations

from django.db import transaction

from akrites.access.policy import require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import audit_append
from akrites.cases.models import Case, Visibility
from akrites.cases.services import case_transition, timeline_record
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput
from akrites.remediation.models import (
    ReleaseChannel,
    ReleasePlan,
    Stewardship,
    StewardshipTrigger,
)


@transaction.atomic
def stewardship_enter(
    *, actor: Actor, case: Case, reason: str, trigger: str = StewardshipTrigger.MANUAL
) -> Stewardship:
    """The case enters SIRT stewardship (``enter_stewardship``, SIRT lead or the ladder)."""
    require(actor, "case.steward", case)
    if trigger not in StewardshipTrigger.values:
        raise InvalidInput("trigger", f"one of {', '.join(StewardshipTrigger.values)}")
    if Stewardship.objects.filter(case=case, handed_back_at__isnull=True).exists():
        raise Conflict("the case is already under SIRT stewardship")
    case_transition(actor=actor, case=case, name="enter_stewardship", reason=reason)
    stewardship, _ = Stewardship.objects.update_or_create(
        case=case, defaults={"trigger": trigger, "handed_back_at": None, "updated_at": now()}
    )
    audit_append(
        actor=actor,
        action="stewardship.enter",
        object_type="case",
        object_id=case.human_id,
        data={"trigger": trigger},
    )
    return stewardship


def _active(case: Case) -> Stewardship:
    stewardship = Stewardship.objects.filter(case=case, handed_back_at__isnull=True).first()
    if stewardship is None:
        raise Conflict("the case is not under SIRT stewardship")
    return stewardship


@transaction.atomic
def release_plan_record(
    *,
    actor: Actor,
    case: Case,
    channel: str,
    version: str,
    handback: str,
    fork_name: str = "",
    notes: str = "",
) -> ReleasePlan:
    """Record (or revise) where the stewarded fix is released and how it goes back.

    ``upstream`` when someone can still publish the project's releases, else ``fork`` with
    the stewarded fork's name. ``handback`` says how the fix returns to the project when its
    maintainers come back. Raises InvalidInput / Conflict; nothing changes then.
    """
    require(actor, "case.steward", case)
    stewardship = _active(case)
    if channel not in ReleaseChannel.values:
        raise InvalidInput("channel", f"one of {', '.join(ReleaseChannel.values)}")
    fork_name, version = fork_name.strip(), version.strip()
    handback, notes = handback.strip(), notes.strip()
    if channel == ReleaseChannel.FORK and not fork_name:
        raise InvalidInput("fork_name", "name the stewarded fork the release is published from")
    if channel == ReleaseChannel.UPSTREAM and fork_name:
        raise InvalidInput("fork_name", "only a fork release names a fork")
    if not version or len(version) > 100:
        raise InvalidInput("version", "the fixed release's version (1 to 100 characters)")
    if not handback:
        raise InvalidInput("handback", "say how the fix goes back to the project's maintainers")
    if len(fork_name) > 200 or len(notes) > 20_000 or len(handback) > 20_000:
        raise InvalidInput("notes", "too long")
    plan, created = ReleasePlan.objects.update_or_create(
        stewardship=stewardship,
        defaults={
            "channel": channel,
            "fork_name": fork_name,
            "version": version,
            "notes": notes,
            "handback": handback,
            "recorded_by": user_or_none(actor),
            "updated_at": now(),
        },
    )
    where = f"fork {fork_name}" if channel == ReleaseChannel.FORK else "upstream"
    timeline_record(
        case=case,
        actor=actor,
        kind="release_plan",
        visibility=Visibility.PARTICIPANTS,
        reason=f"Release plan {'recorded' if created else 'revised'}: {version} via {where}",
    )
    audit_append(
        actor=actor,
        action="stewardship.release_plan",
        object_type="case",
        object_id=case.human_id,
        data={"channel": channel, "version": version, "revised": not created},
    )
    return plan


@transaction.atomic
def stewardship_hand_back(*, actor: Actor, case: Case, reason: str) -> Stewardship:
    """The maintainers are back: stewardship ends and they choose again from now on."""
    require(actor, "case.steward", case)
    stewardship = _active(case)
    if not reason.strip():
        raise InvalidInput("reason", "say who takes the project back")
    stewardship.handed_back_at = now()
    stewardship.updated_at = stewardship.handed_back_at
    stewardship.save(update_fields=["handed_back_at", "updated_at"])
    timeline_record(
        case=case,
        actor=actor,
        kind="stewardship_ended",
        visibility=Visibility.PARTICIPANTS,
        reason=reason.strip(),
    )
    audit_append(
        actor=actor,
        action="stewardship.hand_back",
        object_type="case",
        object_id=case.human_id,
        data={},
    )
    return stewardship
