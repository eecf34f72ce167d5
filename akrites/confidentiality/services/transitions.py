"""The one place an embargo or an embargo change changes state, driven by the tables in
``confidentiality.lifecycle``.

Callers are the embargo services (``services.embargo``): they check the policy first and
hold the rows' locks in their transaction (``locked_embargo``, ``locked_change``), then call
these. Each refuses what its table does not allow (Conflict) before it writes anything, and
writes the state inside ``transitioning``, so the model guard lets nothing else write it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from akrites.accounts.actors import user_of
from akrites.audit.services import audit_append
from akrites.cases.models import Case
from akrites.confidentiality.lifecycle import CHANGE, CHANGE_KIND, EMBARGO
from akrites.confidentiality.models import Embargo, EmbargoChange
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict
from akrites.core.stateguard import transitioning
from akrites.core.statemachine import Transition


def embargo_transition(
    *, actor: Actor, case: Case, embargo: Embargo, name: str, at: datetime, data: dict[str, Any]
) -> Embargo:
    """End ``case``'s embargo at ``at`` along transition ``name`` and audit it.

    ``embargo`` is the locked row, or a new unsaved one (in the initial state), which is
    created in the transition's target state. Raises Conflict when the table does not allow
    ``name`` from the embargo's state. Audited as ``embargo.<name>`` with ``data``.
    """
    transition = EMBARGO.step(name, embargo.state, what="an embargo")
    embargo.ends_at, embargo.state, embargo.updated_at = at, transition.target, at
    fields = None if embargo._state.adding else ["ends_at", "state", "updated_at"]
    with transitioning(EMBARGO.name):
        embargo.save(update_fields=fields)
    audit_append(
        actor=actor,
        action=f"embargo.{name}",
        object_type="case",
        object_id=case.human_id,
        data=data,
    )
    return embargo


def _allowed(change: EmbargoChange, name: str) -> Transition:
    """The change transition ``name`` if it applies to this change now; else Conflict."""
    try:
        transition = CHANGE.step(name, change.status)
    except Conflict:
        raise Conflict("this change is not pending") from None
    if change.kind != CHANGE_KIND[name]:
        raise Conflict("this change is not pending")
    return transition


def locked_change(change: EmbargoChange, *, name: str) -> EmbargoChange:
    """The change row, locked for the caller's transaction, if transition ``name`` applies to
    it (its kind, and a state the table allows it from); else Conflict, nothing changed."""
    locked = EmbargoChange.objects.select_for_update().get(pk=change.pk)
    _allowed(locked, name)
    return locked


def change_transition(*, actor: Actor, change: EmbargoChange, name: str) -> EmbargoChange:
    """Decide the locked ``change`` along transition ``name``, recording who and when.

    Raises Conflict as ``locked_change`` does. Not audited here: the caller's embargo entry
    names the change (``embargo.decide_extension``, ``embargo.lift``).
    """
    transition = _allowed(change, name)
    change.status = transition.target
    change.decided_by, change.decided_at = user_of(actor), now()
    with transitioning(CHANGE.name):
        change.save(update_fields=["status", "decided_by", "decided_at"])
    return change
