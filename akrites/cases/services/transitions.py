"""One service per lifecycle transition, all driven by the table in ``cases.lifecycle``.

Each service locks the case row, checks permission first, checks the transition is legal
from the current status, and records (old, new, actor, reason, time) in the timeline and
the audit chain — all in one transaction, so an illegal or refused transition changes
nothing.
"""

from __future__ import annotations

from django.db import transaction

from akrites.access.policy import require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import audit_append
from akrites.cases.lifecycle import MACHINE, MAINTAINERS_TOLD
from akrites.cases.models import Case, Status, TimelineEntry
from akrites.cases.services.create import _label
from akrites.cases.triage.hooks import on_transition
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import InvalidInput, NotFound
from akrites.core.outbox import notify
from akrites.core.stateguard import transitioning

MAX_REASON = 10_000


@transaction.atomic
def case_transition(
    *, actor: Actor, case: Case, name: str, reason: str = "", duplicate_of: Case | None = None
) -> Case:
    """Apply the transition ``name`` to ``case``.

    Raises NotFound/PermissionDenied (policy), Conflict (not allowed from the current status),
    InvalidInput (reason missing where required, or too long; ``duplicate_of`` missing or
    invalid for ``mark_duplicate``).
    """
    transition = MACHINE.get(name)
    try:
        locked = Case.objects.select_for_update().select_related("project").get(pk=case.pk)
    except Case.DoesNotExist:
        raise NotFound() from None
    require(actor, transition.action, locked)
    reason = reason.strip()
    if transition.needs_reason and not reason:
        raise InvalidInput("reason", f"a reason is required to {name.replace('_', ' ')}")
    if len(reason) > MAX_REASON:
        raise InvalidInput("reason", f"at most {MAX_REASON} characters")
    if name == "mark_duplicate":
        _check_original(actor, locked, duplicate_of)
    old = locked.status
    MACHINE.step(name, old)
    at = now()
    locked.status = transition.target
    locked.status_changed_at = at
    locked.updated_at = at
    update = ["status", "status_changed_at", "updated_at"]
    if name == "mark_duplicate":
        locked.duplicate_of = duplicate_of
        update.append("duplicate_of")
    if transition.target == Status.DISCLOSED:
        locked.disclosed_at = at
        update.append("disclosed_at")
    if transition.target in MAINTAINERS_TOLD and locked.maintainers_notified_at is None:
        locked.maintainers_notified_at = at
        update.append("maintainers_notified_at")
    # Triage bookkeeping: finder outcomes and clock milestones (cases.triage.hooks).
    update += on_transition(case=locked, name=name, at=at)
    with transitioning(MACHINE.name):
        locked.save(update_fields=update)
    TimelineEntry.objects.create(
        case=locked,
        at=at,
        actor=user_or_none(actor),
        actor_label=_label(actor),
        kind="transition",
        old_status=old,
        new_status=transition.target,
        reason=reason,
        visibility=transition.visibility,
    )
    audit_append(
        actor=actor,
        action=f"case.{name}",
        object_type="case",
        object_id=locked.human_id,
        data={"from": old, "to": transition.target},
    )
    notify(f"case.{name}", case_id=locked.pk, actor=actor, data={"from": old, "to": locked.status})
    case.refresh_from_db()
    return locked


def case_accept(*, actor: Actor, case: Case, reason: str = "") -> Case:
    return case_transition(actor=actor, case=case, name="accept", reason=reason)


def case_reject(*, actor: Actor, case: Case, reason: str) -> Case:
    return case_transition(actor=actor, case=case, name="reject", reason=reason)


def _check_original(actor: Actor, case: Case, original: Case | None) -> None:
    if original is None:
        raise InvalidInput("duplicate_of", "name the case this one duplicates")
    if original.pk == case.pk:
        raise InvalidInput("duplicate_of", "a case cannot duplicate itself")
    if original.status == Status.DUPLICATE:
        raise InvalidInput("duplicate_of", "point at the original case, not another duplicate")
    require(actor, "case.view", original)


def case_mark_duplicate(*, actor: Actor, case: Case, of: Case, reason: str = "") -> Case:
    """Mark ``case`` a duplicate of ``of`` (another case that is not itself a duplicate)."""
    return case_transition(
        actor=actor, case=case, name="mark_duplicate", reason=reason, duplicate_of=of
    )


def case_mark_already_public(*, actor: Actor, case: Case, reason: str = "") -> Case:
    return case_transition(actor=actor, case=case, name="mark_already_public", reason=reason)


def case_reopen(*, actor: Actor, case: Case, reason: str) -> Case:
    return case_transition(actor=actor, case=case, name="reopen", reason=reason)


def case_notify_maintainers(*, actor: Actor, case: Case, reason: str = "") -> Case:
    return case_transition(actor=actor, case=case, name="notify_maintainers", reason=reason)


def case_acknowledge(*, actor: Actor, case: Case, reason: str = "") -> Case:
    return case_transition(actor=actor, case=case, name="acknowledge", reason=reason)


def case_dispute(*, actor: Actor, case: Case, reason: str) -> Case:
    return case_transition(actor=actor, case=case, name="dispute", reason=reason)


def case_resume(*, actor: Actor, case: Case, reason: str) -> Case:
    return case_transition(actor=actor, case=case, name="resume", reason=reason)


def case_escalate(*, actor: Actor, case: Case, reason: str = "") -> Case:
    return case_transition(actor=actor, case=case, name="escalate", reason=reason)


def case_enter_stewardship(*, actor: Actor, case: Case, reason: str) -> Case:
    return case_transition(actor=actor, case=case, name="enter_stewardship", reason=reason)


def case_start_fix(*, actor: Actor, case: Case, reason: str = "") -> Case:
    return case_transition(actor=actor, case=case, name="start_fix", reason=reason)


def case_mark_fix_ready(*, actor: Actor, case: Case, reason: str = "") -> Case:
    return case_transition(actor=actor, case=case, name="mark_fix_ready", reason=reason)


def case_prenotify(*, actor: Actor, case: Case, reason: str = "") -> Case:
    return case_transition(actor=actor, case=case, name="prenotify", reason=reason)


def case_disclose(*, actor: Actor, case: Case, reason: str = "") -> Case:
    return case_transition(actor=actor, case=case, name="disclose", reason=reason)


def case_break_embargo(*, actor: Actor, case: Case, reason: str) -> Case:
    return case_transition(actor=actor, case=case, name="break_embargo", reason=reason)


def case_close(*, actor: Actor, case: Case, reason: str = "") -> Case:
    return case_transition(actor=actor, case=case, name="close", reason=reason)
