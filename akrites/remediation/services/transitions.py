"""The one place a patch proposal changes state: ``patch_transition``, driven by the table in
``remediation.lifecycle``.

Callers are the services of each transition (``patch_choose``): they lock the case row, check
the policy and the transition's own conditions first, then call this inside their
transaction. It refuses a change the table does not allow, claims the new state with a
conditional UPDATE, and records the timeline entry and the audit entry in the same
transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from akrites.accounts.actors import user_or_none
from akrites.audit.services import audit_append
from akrites.cases.models import Case
from akrites.cases.services.timeline import timeline_record
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict
from akrites.core.stateguard import transitioning
from akrites.remediation.lifecycle import MACHINE
from akrites.remediation.models import PatchProposal, PatchState

# The timeline entry each transition records: its kind, and what it says after the patch id.
_TIMELINE = {"choose": ("canonical_fix", "chosen as the canonical fix")}


def patch_transition(
    *, actor: Actor, case: Case, patch: PatchProposal, name: str, reason: str = ""
) -> PatchProposal:
    """Move ``patch`` of the locked ``case`` along transition ``name`` and record it.

    The caller holds the case row lock and has checked the policy. Raises InvalidInput for a
    name the table does not have, Conflict when the table does not allow ``name`` from the
    patch's state, when the state changed since the caller read it (the conditional UPDATE
    claims nothing), or when the partial unique index refuses a second canonical fix; in
    each case nothing is written. Returns the patch as stored.
    """
    old = patch.state
    transition = MACHINE.step(name, old, what="a patch")
    at = now()
    fields: dict[str, Any] = {"state": transition.target, "updated_at": at}
    if transition.target == PatchState.CANONICAL:
        fields |= {"chosen_by": user_or_none(actor), "chosen_at": at}
    try:
        # A savepoint: the index's refusal must not break the caller's transaction.
        with transaction.atomic(), transitioning(MACHINE.name):
            claimed = PatchProposal.objects.filter(pk=patch.pk, state=old).update(**fields)
    except IntegrityError:
        raise Conflict("another patch became the canonical fix meanwhile") from None
    if claimed != 1:
        raise Conflict(f"{patch.public_id} changed meanwhile; reload it")
    patch.refresh_from_db()
    kind, says = _TIMELINE[name]
    timeline_record(
        case=case,
        actor=actor,
        kind=kind,
        visibility=transition.visibility,
        reason=f"{patch.public_id} {says}" + (f": {reason}" if reason else ""),
    )
    audit_append(
        actor=actor,
        action=f"patch.{name}",
        object_type="patch",
        object_id=patch.public_id,
        data={"case": case.human_id},
    )
    return patch
