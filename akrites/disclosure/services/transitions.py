"""The one place an advisory changes state: ``advisory_transition``, driven by the table in
``disclosure.lifecycle``.

Callers are the services of each transition: they lock the advisory row and check the policy
first, then call this inside their transaction. It refuses a change the table does not allow
(Conflict) or a missing reason (InvalidInput), saves the new state, records the event (old,
new, actor, reason) and the audit entry in the same transaction, and leaves the notification
to the outbox, which dispatches after commit.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from akrites.audit.services import actor_fields, audit_append
from akrites.cases.models import Visibility as V
from akrites.cases.services import timeline_record
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import InvalidInput, NotFound
from akrites.core.outbox import notify
from akrites.core.stateguard import transitioning
from akrites.disclosure.lifecycle import MACHINE, MAX_REASON
from akrites.disclosure.models import Advisory, AdvisoryEvent

# Each transition's case timeline entry: its kind and who reads it. A draft and its
# approvals are the maintainers' business; what was published is public.
TIMELINE: dict[str, tuple[str, str]] = {
    "approve": ("advisory_approved", V.MAINTAINERS),
    "withdraw_approval": ("advisory_approval_withdrawn", V.MAINTAINERS),
    "void_approval": ("advisory_approval_void", V.MAINTAINERS),
    "publish": ("advisory_published", V.PUBLIC),
    "revise": ("advisory_revised", V.PUBLIC),
    "withdraw": ("advisory_withdrawn", V.PUBLIC),
}


def locked_advisory(advisory: Advisory) -> Advisory:
    """The advisory row, locked for the caller's transaction (NotFound if it is gone)."""
    try:
        return (
            Advisory.objects.select_for_update()
            .select_related("case", "case__project")
            .get(pk=advisory.pk)
        )
    except Advisory.DoesNotExist:
        raise NotFound() from None


def clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput("reason", "a reason is required")
    if len(reason) > MAX_REASON:
        raise InvalidInput("reason", f"at most {MAX_REASON} characters")
    return reason


def advisory_digest(advisory: Advisory) -> str:
    """SHA-256 over what a publication would be made of: the content and the CVE id."""
    doc = {"content": json.loads(advisory.content), "cve_id": advisory.cve_id}
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def advisory_claim(advisory: Advisory, name: str, *, at: Any) -> bool:
    """Claim transition ``name`` for this caller with a conditional UPDATE (the state and
    revision unchanged since the caller read them): of two transactions, one claims it and
    the other gets False. The caller then records it with ``advisory_transition``."""
    transition = MACHINE.step(name, advisory.state, what="an advisory")
    with transitioning(MACHINE.name):
        claimed = Advisory.objects.filter(
            pk=advisory.pk, state=advisory.state, revision=advisory.revision
        ).update(state=transition.target, updated_at=at)
    return claimed == 1


def advisory_transition(
    *,
    actor: Actor,
    advisory: Advisory,
    name: str,
    reason: str = "",
    version: int = 0,
    data: dict[str, Any] | None = None,
) -> AdvisoryEvent:
    """Move the locked ``advisory`` along transition ``name`` and record it.

    The caller holds the row lock and has checked the policy. Raises Conflict when the table
    does not allow ``name`` from the current state, InvalidInput for a missing or long reason.
    """
    old = advisory.state
    transition = MACHINE.step(name, old, what="an advisory")
    reason = clean_reason(reason, required=transition.needs_reason)
    at = now()
    advisory.state = transition.target
    advisory.updated_at = at
    with transitioning(MACHINE.name):
        advisory.save(update_fields=["state", "updated_at"])
    actor_id, label = actor_fields(actor)
    event = AdvisoryEvent.objects.create(
        advisory=advisory,
        at=at,
        name=name,
        old_state=old,
        new_state=transition.target,
        actor_id=actor_id,
        actor_label=label,
        reason=reason,
        revision=advisory.revision,
        version=version,
    )
    kind, visibility = TIMELINE[name]
    public_id = (data or {}).get("public_id")
    shown = f"{public_id}: {reason}" if public_id and reason else str(public_id or reason)
    timeline_record(actor=actor, case=advisory.case, kind=kind, visibility=visibility, reason=shown)
    # The reason stays in the (encrypted) event; the audit entry points at it.
    details = {"from": old, "to": transition.target, "revision": advisory.revision}
    details |= {"version": version} if version else {}
    audit_append(
        actor=actor,
        action=f"advisory.{name}",
        object_type="case",
        object_id=advisory.case.human_id,
        data={**details, **(data or {}), "event": event.pk},
    )
    notify(
        f"advisory.{name}",
        case_id=advisory.case_id,
        actor=actor,
        data={"state": transition.target, "revision": advisory.revision, "version": version},
    )
    return event
