"""Embargo writes: the date on the maintainers' terms, extensions, early lift, break.

Every service locks the embargo row (``select_for_update``), checks the policy first, and
records the audit entry in the same transaction. States change only through the tables in
``confidentiality.lifecycle`` (``services.transitions``). Instants are timezone-aware and
stored in UTC; the policy numbers come from settings (``AKRITES_EMBARGO_*``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from akrites.access.policy import require
from akrites.accounts.actors import user_of
from akrites.audit.services import audit_append
from akrites.cases.models import Case, Visibility
from akrites.cases.services.timeline import timeline_record
from akrites.confidentiality.ends import default_embargo, policy_days
from akrites.confidentiality.lifecycle import MAX_REASON
from akrites.confidentiality.models import (
    ChangeKind,
    ChangeStatus,
    Embargo,
    EmbargoChange,
    EmbargoState,
)
from akrites.confidentiality.services.transitions import (
    change_transition,
    embargo_transition,
    locked_change,
)
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput, PermissionDenied


def locked_embargo(case: Case) -> Embargo:
    """The case's embargo row, created from the policy default, locked for this transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked_embargo needs the caller's transaction")
    row = Embargo.objects.select_for_update().filter(case=case).first()
    if row is not None:
        return row
    fresh = default_embargo(case)
    if fresh is None:
        raise Conflict("the embargo starts when the maintainers are notified")
    fresh.save()
    return fresh


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason", "a reason is required")
    if len(reason) > MAX_REASON:
        raise InvalidInput("reason", f"at most {MAX_REASON} characters")
    return reason


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidInput(field, "give a time zone (UTC: a trailing Z)")
    return value


def _audit(actor: Actor, case: Case, action: str, data: dict[str, Any]) -> None:
    audit_append(actor=actor, action=action, object_type="case", object_id=case.human_id, data=data)


def _utc(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _timeline(actor: Actor, case: Case, kind: str, visibility: str, reason: str = "") -> None:
    timeline_record(actor=actor, case=case, kind=kind, visibility=visibility, reason=reason)


def _end_changed(actor: Actor, case: Case, embargo: Embargo, kind: str) -> None:
    """Everyone who may read the embargo (``case.read_embargo``: every party) sees its end
    move; why it moved may be for the maintainers only (the caller's own entry)."""
    _timeline(actor, case, kind, Visibility.PARTICIPANTS, f"ends {_utc(embargo.ends_at)}")


@transaction.atomic
def embargo_set_date(
    *, actor: Actor, case: Case, ends_at: datetime, allow_weekend: bool = False
) -> Embargo:
    """The maintainers choose the disclosure instant: in the future, within the policy limit,
    not on a weekend (UTC) unless ``allow_weekend``. Raises InvalidInput otherwise."""
    require(actor, "embargo.set_date", case)
    embargo = locked_embargo(case)
    ends_at = _aware(ends_at, "ends_at")
    if embargo.state != EmbargoState.ACTIVE:
        raise Conflict("the embargo has ended")
    if ends_at <= now():
        raise InvalidInput("ends_at", "must be in the future")
    if ends_at > embargo.limit_at:
        raise InvalidInput(
            "ends_at",
            f"policy allows at most {embargo.limit_at:%Y-%m-%dT%H:%MZ}; ask for an extension",
        )
    avoid = settings.AKRITES_EMBARGO_AVOID_WEEKENDS and not allow_weekend
    if avoid and ends_at.astimezone(UTC).weekday() >= 5:
        raise InvalidInput("ends_at", "falls on a weekend (UTC); choose a weekday")
    at = now()
    kind = "embargo_date_set" if embargo.chosen_at is None else "embargo_date_changed"
    embargo.ends_at, embargo.chosen_by, embargo.chosen_at, embargo.updated_at = (
        ends_at,
        user_of(actor),
        at,
        at,
    )
    embargo.save(update_fields=["ends_at", "chosen_by", "chosen_at", "updated_at"])
    _audit(actor, case, "embargo.set_date", {"ends_at": ends_at.isoformat()})
    _end_changed(actor, case, embargo, kind)
    return embargo


@transaction.atomic
def embargo_request_extension(
    *, actor: Actor, case: Case, until: datetime, reason: str
) -> EmbargoChange:
    """Ask for a later end than the policy allows; the SIRT decides (``embargo_decide``)."""
    require(actor, "embargo.request_extension", case)
    embargo = locked_embargo(case)
    until = _aware(until, "until")
    if until <= embargo.ends_at:
        raise InvalidInput("until", "an extension must end later than the current end")
    change = EmbargoChange.objects.create(
        embargo=embargo,
        kind=ChangeKind.EXTEND,
        until=until,
        reason=_reason(reason),
        proposed_by=user_of(actor),
    )
    _audit(
        actor, case, "embargo.request_extension", {"change": change.pk, "until": until.isoformat()}
    )
    _timeline(
        actor,
        case,
        "embargo_extension_requested",
        Visibility.MAINTAINERS,
        f"until {_utc(until)}: {change.reason}",
    )
    return change


@transaction.atomic
def embargo_decide_extension(*, actor: Actor, change: EmbargoChange, approve: bool) -> Embargo:
    """The SIRT approves or rejects an extension; the requester cannot decide their own."""
    case = change.embargo.case
    require(actor, "embargo.approve_extension", case)
    embargo = locked_embargo(case)
    name = "approve_extension" if approve else "reject_extension"
    change = locked_change(change, name=name)
    if change.proposed_by_id == actor.pk:
        raise PermissionDenied("another SIRT member must decide on your request")
    change_transition(actor=actor, change=change, name=name)
    if approve and change.until is not None:
        embargo.limit_at = max(embargo.limit_at, change.until)
        embargo.ends_at, embargo.updated_at = change.until, now()
        embargo.save(update_fields=["limit_at", "ends_at", "updated_at"])
    _audit(actor, case, "embargo.decide_extension", {"change": change.pk, "approved": approve})
    kind = "embargo_extension_approved" if approve else "embargo_extension_refused"
    until = f"until {_utc(change.until)}" if change.until is not None else ""
    _timeline(actor, case, kind, Visibility.MAINTAINERS, until)
    if approve:
        _end_changed(actor, case, embargo, "embargo_date_changed")
    return embargo


@transaction.atomic
def embargo_mark_exploited(*, actor: Actor, case: Case) -> Embargo:
    """Exploited in the wild: the policy limit shrinks to the short one (7 days by default)."""
    require(actor, "embargo.mark_exploited", case)
    embargo = locked_embargo(case)
    ends_before = embargo.ends_at
    limit = embargo.starts_at + timedelta(days=policy_days(exploited=True))
    embargo.exploited = True
    embargo.limit_at = min(embargo.limit_at, max(limit, now()))
    embargo.ends_at = min(embargo.ends_at, embargo.limit_at)
    embargo.updated_at = now()
    embargo.save(update_fields=["exploited", "limit_at", "ends_at", "updated_at"])
    _audit(actor, case, "embargo.mark_exploited", {"ends_at": embargo.ends_at.isoformat()})
    _timeline(actor, case, "embargo_exploited", Visibility.MAINTAINERS)
    if embargo.ends_at != ends_before:
        _end_changed(actor, case, embargo, "embargo_date_changed")
    return embargo


@transaction.atomic
def embargo_lift_propose(*, actor: Actor, case: Case, reason: str) -> EmbargoChange:
    """Propose lifting the embargo now; a different person must approve (two-person rule)."""
    require(actor, "embargo.lift_propose", case)
    embargo = locked_embargo(case)
    if embargo.state != EmbargoState.ACTIVE:
        raise Conflict("the embargo has ended")
    if embargo.changes.filter(kind=ChangeKind.LIFT, status=ChangeStatus.PENDING).exists():
        raise Conflict("an early lift is already proposed")
    change = EmbargoChange.objects.create(
        embargo=embargo, kind=ChangeKind.LIFT, reason=_reason(reason), proposed_by=user_of(actor)
    )
    _audit(actor, case, "embargo.lift_propose", {"change": change.pk})
    _timeline(actor, case, "embargo_lift_proposed", Visibility.MAINTAINERS, change.reason)
    return change


@transaction.atomic
def embargo_lift_approve(*, actor: Actor, change: EmbargoChange) -> Embargo:
    """Second person approves an early lift: the embargo ends now. Raises PermissionDenied
    when the proposer tries to approve their own proposal."""
    case = change.embargo.case
    require(actor, "embargo.lift_approve", case)
    embargo = locked_embargo(case)
    change = locked_change(change, name="approve_lift")
    if change.proposed_by_id is None or change.proposed_by_id == actor.pk:
        raise PermissionDenied("a second person must approve an early lift")
    # The embargo's table first: a refused lift leaves the proposal pending.
    data = {"change": change.pk, "proposed_by": change.proposed_by_id}
    embargo_transition(actor=actor, case=case, embargo=embargo, name="lift", at=now(), data=data)
    change_transition(actor=actor, change=change, name="approve_lift")
    _timeline(actor, case, "embargo_lifted", Visibility.MAINTAINERS)
    return embargo


@transaction.atomic
def embargo_break(*, actor: Actor, case: Case, reason: str) -> Case:
    """A leak or exploitation in the wild: disclose at once and tell every participant.

    Runs the lifecycle's ``break_embargo`` transition (which records the reason) and ends the
    embargo; the transition's own ``case.break_embargo`` event tells every participant
    after commit.
    """
    from akrites.cases.services import case_transition  # cases.services imports policy.

    require(actor, "case.break_embargo", case)
    reason = _reason(reason)
    updated = case_transition(actor=actor, case=case, name="break_embargo", reason=reason)
    embargo = Embargo.objects.select_for_update().filter(case=updated).first()
    at = now()
    if embargo is None:  # never stored: the policy's (active) embargo, created broken
        embargo = Embargo(case=updated, starts_at=at, limit_at=at)
    embargo_transition(actor=actor, case=updated, embargo=embargo, name="break", at=at, data={})
    # The reason is on the transition's own (public) entry.
    _timeline(actor, updated, "embargo_broken", Visibility.PARTICIPANTS)
    return updated
