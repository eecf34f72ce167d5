"""After publication: revise (a new public version) or withdraw (a last version saying so).

Both need the SIRT with a fresh second factor and a reason, which becomes public with the
version (CSAF ``revision_history``, the public page) and is stored with the transition. Each
renders and validates every document of the new version before writing anything, then in
one transaction stores the version's signed documents beside the older ones (which stay
retrievable), updates the public face and the query index, records the transition and audit
entry, and — last, as publication does — updates or rejects the CVE record through the CNA
backend, so that its failure leaves nothing half stored.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from akrites.access.policy import require
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput
from akrites.disclosure.cna import CnaBackend, cna_backend
from akrites.disclosure.content import content_from_dict
from akrites.disclosure.models import (
    Advisory,
    AdvisoryState,
    CveReservation,
    PublicAdvisory,
    ReservationState,
    RevisionKind,
)
from akrites.disclosure.services import documents
from akrites.disclosure.services.transitions import (
    advisory_transition,
    clean_reason,
    locked_advisory,
)


def _published(advisory: Advisory) -> tuple[Advisory, PublicAdvisory]:
    locked = locked_advisory(advisory)
    if locked.state != AdvisoryState.PUBLISHED:
        raise Conflict(f"the advisory is {locked.state}; only a published one changes so")
    public = PublicAdvisory.objects.select_for_update().get(advisory=locked)
    return locked, public


def _new_version(
    public: PublicAdvisory,
    advisory: Advisory,
    *,
    content_json: str,
    kind: str,
    reason: str,
) -> documents.Version:
    history = documents.history_of(public)
    at = max(now().replace(microsecond=0), public.modified_at)
    ctx = documents.context(
        public_id=public.public_id,
        cve_id=advisory.cve_id,
        published=public.published_at,
        modified=at,
        history=history,
        withdrawn_reason=reason if kind == RevisionKind.WITHDRAWAL else None,
    )
    summary = reason if kind == RevisionKind.REVISION else f"Withdrawn: {reason}"
    content = content_from_dict(json.loads(content_json))
    return documents.render_version(
        content=content, ctx=ctx, history=history, kind=kind, summary=summary
    )


def _write(public: PublicAdvisory, version: documents.Version) -> None:
    documents.store_version(public, version)
    for name, value in documents.public_fields(version).items():
        setattr(public, name, value)
    public.save()
    documents.index_version(public, version)


@transaction.atomic
def advisory_revise(
    *,
    actor: Actor,
    advisory: Advisory,
    changes: dict[str, Any],
    reason: str,
    backend: CnaBackend | None = None,
) -> PublicAdvisory:
    """Publish a new version of a published advisory with ``changes`` to its content.

    Raises NotFound/PermissionDenied/StepUpRequired (policy), Conflict (not published),
    InvalidInput (a bad field, no change, reason missing), DocumentInvalid, CnaError (the
    CVE record could not be updated). Nothing is stored when it raises.
    """
    require(actor, "advisory.revise", advisory.case)
    reason = clean_reason(reason, required=True)
    locked, public = _published(advisory)
    current = json.loads(locked.content)
    unknown = set(changes) - set(current)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "is not an advisory field")
    revised = json.dumps(content_from_dict({**current, **changes}).to_dict())
    if json.loads(revised) == current:
        raise InvalidInput("content", "the revision changes nothing")
    version = _new_version(
        public, locked, content_json=revised, kind=RevisionKind.REVISION, reason=reason
    )
    _write(public, version)
    locked.content = revised
    locked.revision += 1
    locked.save(update_fields=["content", "revision"])
    advisory_transition(
        actor=actor,
        advisory=locked,
        name="revise",
        reason=reason,
        version=version.ctx.version,
        data={"public_id": public.public_id, "fields": sorted(changes)},
    )
    backend = backend or cna_backend()
    if locked.cve_id and backend is not None:
        # Last on purpose: its failure rolls the new version back.
        backend.publish(cve_id=locked.cve_id, cna_container=json.loads(version.texts["cve"]))
    return public


@transaction.atomic
def advisory_withdraw(
    *, actor: Actor, advisory: Advisory, reason: str, backend: CnaBackend | None = None
) -> PublicAdvisory:
    """Withdraw a published advisory: a last version says so (OSV ``withdrawn``, a CSAF note
    and revision, a rejected CVE record), and queries no longer match it.

    Raises NotFound/PermissionDenied/StepUpRequired (policy), Conflict (not published),
    InvalidInput (reason missing or too long), DocumentInvalid, CnaError (the CVE record
    could not be rejected). Nothing is stored when it raises.
    """
    require(actor, "advisory.withdraw", advisory.case)
    reason = clean_reason(reason, required=True)
    locked, public = _published(advisory)
    version = _new_version(
        public, locked, content_json=locked.content, kind=RevisionKind.WITHDRAWAL, reason=reason
    )
    _write(public, version)
    advisory_transition(
        actor=actor,
        advisory=locked,
        name="withdraw",
        reason=reason,
        version=version.ctx.version,
        data={"public_id": public.public_id},
    )
    backend = backend or cna_backend()
    if locked.cve_id and backend is not None:
        CveReservation.objects.filter(cve_id=locked.cve_id).update(
            state=ReservationState.REJECTED, updated_at=version.ctx.modified
        )
        # Last on purpose: its failure rolls the withdrawal back.
        backend.reject(cve_id=locked.cve_id, reason=version.ctx.withdrawal_note())
    return public
