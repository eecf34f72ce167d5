"""Publication of an approved advisory: every document appears together, at or after the
instant, exactly once.

A draft is never published: only an advisory in state ``approved`` whose approval still
names its current revision and digest (see ``services.approval``). ``advisory_publish``
renders and validates all five documents before it writes anything, then, in one transaction,
claims the row (a conditional UPDATE on the approved state and revision: of two workers that
race, one publishes and the other finds nothing to do), stores the documents signed, moves
the case to ``disclosed`` (or records that ``break_embargo`` already did), ends observers' and
downstreams' access, records the transition and audit entry — and only then publishes the
CVE record. CVE Services is the one step outside our database, so it goes last: when it
fails, the exception rolls every row back and nothing is public. When it succeeds but our
commit then fails, a retry updates the record it finds already published (see
``CveServicesBackend.publish``), so the two converge.
"""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django.db.models import F

from akrites.access.policy import require
from akrites.cases import lifecycle as case_lifecycle
from akrites.cases.models import Case, CaseParticipant, ParticipantRole, Status
from akrites.cases.services import case_transition, participant_revoke
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import AkritesError, Conflict, NotFound
from akrites.disclosure.cna import CnaBackend, cna_backend
from akrites.disclosure.content import content_from_dict
from akrites.disclosure.instant import disclosure_instant
from akrites.disclosure.models import (
    Advisory,
    AdvisoryCounter,
    AdvisoryState,
    CveReservation,
    PublicAdvisory,
    ReservationState,
    RevisionKind,
)
from akrites.disclosure.renderers.context import INITIAL_SUMMARY
from akrites.disclosure.services import documents
from akrites.disclosure.services.transitions import (
    advisory_claim,
    advisory_digest,
    advisory_transition,
)

logger = logging.getLogger(__name__)
PUBLISHABLE = case_lifecycle.BY_NAME["disclose"].sources
_ACCESS_ENDS = (ParticipantRole.OBSERVER, ParticipantRole.DOWNSTREAM)


def _next_number(year: int) -> int:
    """The next public advisory number for ``year`` (inside the caller's transaction)."""
    AdvisoryCounter.objects.bulk_create([AdvisoryCounter(year=year, last=0)], ignore_conflicts=True)
    AdvisoryCounter.objects.filter(year=year).update(last=F("last") + 1)
    return int(AdvisoryCounter.objects.values_list("last", flat=True).get(year=year))


def check_due(case: Case) -> bool:
    """Raise Conflict unless the case may be disclosed now; True if it already is."""
    if case.status == Status.DISCLOSED:
        return True
    if case.status not in PUBLISHABLE:
        raise Conflict(f"a case that is {case.status} cannot be disclosed")
    instant = disclosure_instant(case)
    if instant is None:
        raise Conflict("no disclosure instant is set (embargo end or disclose_at)")
    if now() < instant:
        raise Conflict(f"embargoed until {instant:%Y-%m-%dT%H:%M:%SZ}")
    return False


def is_due(case: Case) -> bool:
    """The case may be disclosed now: already disclosed, or its instant has come."""
    try:
        check_due(case)
    except Conflict:
        return False
    return True


def _check_approval(advisory: Advisory) -> None:
    """Conflict unless the advisory's newest approval still names what would be published."""
    approval = advisory.approvals.order_by("-approved_at", "-id").first()
    if approval is None or approval.revision != advisory.revision:
        raise Conflict("the approved revision is not the current draft: approve it again")
    if approval.digest != advisory_digest(advisory):
        raise Conflict("the draft differs from what was approved: approve it again")


def _end_observer_access(actor: Actor, case: Case) -> int:
    active = CaseParticipant.objects.filter(
        case=case, role__in=_ACCESS_ENDS, revoked_at__isnull=True
    ).select_related("user")
    count = 0
    for participation in active:
        participant_revoke(actor=actor, case=case, user=participation.user, role=participation.role)
        count += 1
    return count


class NotApproved(Conflict):
    """The advisory is not (or no longer) approved: there is nothing to publish."""

    code = "not_approved"


def publish_locked(
    *, actor: Actor, advisory: Advisory, backend: CnaBackend | None
) -> PublicAdvisory:
    """Publish the locked, approved ``advisory`` (the ``publish`` transition), or nothing.

    The caller holds the row lock and has checked ``advisory.publish``. Raises NotApproved
    (a draft, or published meanwhile), Conflict (approval stale, not due), InvalidInput,
    DocumentInvalid, CnaError.
    """
    if advisory.state != AdvisoryState.APPROVED:
        raise NotApproved(f"the advisory is {advisory.state}, not approved")
    _check_approval(advisory)
    already_disclosed = check_due(advisory.case)
    content = content_from_dict(json.loads(advisory.content))
    documents.check_publishable(content)
    at = now().replace(microsecond=0)
    # The claim: of two transactions publishing this approved revision, one moves it on and
    # the other finds nothing (with the row lock it waits, then sees it published).
    if not advisory_claim(advisory, "publish", at=at):
        raise NotApproved("the advisory was published or changed meanwhile")
    public_id = f"AKRITES-{at.year}-{_next_number(at.year):05d}"
    ctx = documents.context(public_id=public_id, cve_id=advisory.cve_id, published=at, modified=at)
    version = documents.render_version(
        content=content, ctx=ctx, history=(), kind=RevisionKind.INITIAL, summary=INITIAL_SUMMARY
    )
    public = PublicAdvisory.objects.create(
        advisory=advisory,
        public_id=public_id,
        osv_id=version.ctx.osv_id,
        year=at.year,
        published_at=at,
        **documents.public_fields(version),
    )
    documents.store_version(public, version)
    documents.index_version(public, version)
    if not already_disclosed:
        case_transition(actor=actor, case=advisory.case, name="disclose")
    revoked = _end_observer_access(actor, advisory.case)
    advisory.published_at = at
    advisory.save(update_fields=["published_at"])
    advisory_transition(
        actor=actor,
        advisory=advisory,
        name="publish",
        version=1,
        data={
            "public_id": public_id,
            "cve_id": advisory.cve_id or None,
            "already_disclosed": already_disclosed,
            "access_ended": revoked,
        },
    )
    backend = backend or cna_backend()
    if advisory.cve_id and backend is not None:
        CveReservation.objects.filter(cve_id=advisory.cve_id).update(
            state=ReservationState.PUBLISHED, updated_at=at
        )
        # Last on purpose: see the module docstring.
        backend.publish(cve_id=advisory.cve_id, cna_container=json.loads(version.texts["cve"]))
    return public


@transaction.atomic
def advisory_publish(
    *, actor: Actor, case: Case, backend: CnaBackend | None = None
) -> PublicAdvisory:
    """Publish the approved advisory of ``case`` with all its documents, or nothing.

    Raises NotFound/PermissionDenied (policy; a case without advisory is NotFound), Conflict
    (not approved, or the approval no longer names the current revision; already published;
    case not in a disclosable status; before the disclosure instant), InvalidInput (no
    affected package), DocumentInvalid (a document does not validate), CnaError (CVE
    Services failed). In each case nothing is published.
    """
    require(actor, "advisory.publish", case)
    try:
        advisory = (
            Advisory.objects.select_for_update()
            .select_related("case", "case__project")
            .get(case=case)
        )
    except Advisory.DoesNotExist:
        raise NotFound() from None
    return publish_locked(actor=actor, advisory=advisory, backend=backend)


def _candidates() -> list[int]:
    """Ids of approved advisories of cases that are or may become disclosable."""
    return list(
        Advisory.objects.filter(
            state=AdvisoryState.APPROVED, case__status__in=[*PUBLISHABLE, Status.DISCLOSED]
        )
        .order_by("id")
        .values_list("case_id", flat=True)
    )


def publish_due(*, actor: Actor) -> list[str]:
    """Publish every approved advisory whose time has come (the worker's periodic job).

    Merely saved drafts are never candidates. Each advisory is published in its own
    transaction; one that fails (CVE Services down, a document that does not validate) is
    logged by case id and retried on the next run, without holding back the others. One that
    another worker published meanwhile is skipped. Returns the public ids published.
    """
    published: list[str] = []
    for case_id in _candidates():
        case = Case.objects.select_related("project").get(pk=case_id)
        if not is_due(case):
            continue
        try:
            published.append(advisory_publish(actor=actor, case=case).public_id)
        except NotApproved:
            continue  # another worker published it, or it was edited meanwhile
        except AkritesError as exc:
            logger.warning("advisory of %s not published: %s", case.human_id, exc.code)
    return published
