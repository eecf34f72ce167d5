"""Approval: the explicit, fresh-code decision of a SIRT member that a revision may go public.

``advisory_approve`` names the revision the approver reviewed (refused if the draft changed
since) and when it may go out: ``now`` — published in the same transaction, which needs the
case to be due — or ``at_instant``, left to the worker, which publishes it when the
disclosure instant comes (read when the worker runs, so an extended embargo still holds).
Every document is rendered and validated at approval already, so an approval the worker
cannot publish is refused up front. ``advisory_withdraw_approval`` takes it back; editing the
draft voids it (``services.advisory``).
"""

from __future__ import annotations

import json

from django.db import transaction

from akrites.access.policy import require
from akrites.audit.services import actor_fields
from akrites.cases.models import Status
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput
from akrites.disclosure.cna import CnaBackend
from akrites.disclosure.content import content_from_dict
from akrites.disclosure.models import (
    Advisory,
    AdvisoryApproval,
    AdvisoryState,
    ApprovalRelease,
    RevisionKind,
)
from akrites.disclosure.renderers.context import INITIAL_SUMMARY
from akrites.disclosure.services import documents
from akrites.disclosure.services.publish import PUBLISHABLE, check_due, publish_locked
from akrites.disclosure.services.transitions import (
    advisory_digest,
    advisory_transition,
    locked_advisory,
)


def _check_renders(advisory: Advisory) -> None:
    """Render and validate every document as publication would (with a provisional id)."""
    content = content_from_dict(json.loads(advisory.content))
    at = now().replace(microsecond=0)
    ctx = documents.context(
        public_id=f"AKRITES-{at.year}-00000", cve_id=advisory.cve_id, published=at, modified=at
    )
    documents.render_version(
        content=content, ctx=ctx, history=(), kind=RevisionKind.INITIAL, summary=INITIAL_SUMMARY
    )


@transaction.atomic
def advisory_approve(
    *,
    actor: Actor,
    advisory: Advisory,
    revision: int | None,
    release: str,
    backend: CnaBackend | None = None,
) -> Advisory:
    """Approve revision ``revision`` of the draft, to go out ``release`` (now / at_instant).

    Raises NotFound/PermissionDenied/StepUpRequired (policy: the SIRT, with a fresh code),
    InvalidInput (revision or release missing; no affected range), Conflict (not a draft;
    the draft changed since revision ``revision``; a case that cannot be disclosed; ``now``
    before the instant), DocumentInvalid, CnaError (publishing now failed). Nothing is
    approved when it raises.
    """
    require(actor, "advisory.approve", advisory.case)
    if release not in ApprovalRelease.values:
        raise InvalidInput("release", "choose now or at_instant")
    if revision is None:
        raise InvalidInput("revision", "name the revision you reviewed")
    locked = locked_advisory(advisory)
    if locked.state != AdvisoryState.DRAFT:
        raise Conflict(f"the advisory is {locked.state}; only a draft is approved")
    if locked.revision != revision:
        raise Conflict(
            f"the draft changed since revision {revision} (now {locked.revision}): review it again"
        )
    case = locked.case
    if case.status not in (*PUBLISHABLE, Status.DISCLOSED):
        raise Conflict(f"a case that is {case.status} cannot be disclosed yet")
    if release == ApprovalRelease.NOW:
        check_due(case)  # publication below renders and validates, or rolls back
    else:
        _check_renders(locked)
    actor_id, label = actor_fields(actor)
    approval = AdvisoryApproval.objects.create(
        advisory=locked,
        revision=locked.revision,
        digest=advisory_digest(locked),
        release=release,
        approved_by_id=actor_id,
        approved_by_label=label,
        approved_at=now(),
    )
    advisory_transition(
        actor=actor,
        advisory=locked,
        name="approve",
        data={"release": release, "approval": approval.pk},
    )
    if release == ApprovalRelease.NOW:
        require(actor, "advisory.publish", case)
        publish_locked(actor=actor, advisory=locked, backend=backend)
        locked.refresh_from_db()
    return locked


@transaction.atomic
def advisory_withdraw_approval(*, actor: Actor, advisory: Advisory, reason: str = "") -> Advisory:
    """Take back the approval before publication: the advisory is a draft again.

    Raises NotFound/PermissionDenied (policy), Conflict (not approved: a draft, or published
    already), InvalidInput (reason too long).
    """
    require(actor, "advisory.withdraw_approval", advisory.case)
    locked = locked_advisory(advisory)
    advisory_transition(actor=actor, advisory=locked, name="withdraw_approval", reason=reason)
    return locked
