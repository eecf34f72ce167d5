"""Drafting an advisory: create (seeded from the reports), edit, schedule, CVE ids.

Every service locks nothing but the advisory row it changes, checks the policy first, writes
the audit entry in the same transaction, and refuses to touch a published advisory (Conflict):
what is public changes only through a revision (``services.revision``), not a quiet edit.
A change of what would be published (the content, the CVE id) is a new draft revision; made
to an approved draft, it voids the approval (the ``void_approval`` transition), so nothing
goes out that nobody approved. Saving never publishes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from akrites.access.policy import require
from akrites.audit.services import audit_append
from akrites.cases.lifecycle import NOT_ACCEPTED
from akrites.cases.models import Case
from akrites.cases.models import Visibility as V
from akrites.cases.services import timeline_record
from akrites.core.actors import Actor, SystemActor
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput, NotFound
from akrites.disclosure.cna import CnaBackend, cna_backend
from akrites.disclosure.content import content_from_dict
from akrites.disclosure.instant import has_embargo
from akrites.disclosure.models import Advisory, AdvisoryState, CveReservation, ReservationState
from akrites.disclosure.seed import credits_with, credits_without, seed_content
from akrites.disclosure.services.transitions import advisory_transition
from akrites.intake.models import Report

logger = logging.getLogger(__name__)
# Who adds the finders of reports that joined a case to its draft: a consequence of the
# submission or merge that moved them (each checked by the policy), not anyone's edit.
CREDITS = SystemActor("disclosure.credits")


def _locked_draft(advisory: Advisory) -> Advisory:
    try:
        locked = Advisory.objects.select_for_update().select_related("case").get(pk=advisory.pk)
    except Advisory.DoesNotExist:
        raise NotFound() from None
    return locked


_EDITABLE = frozenset({AdvisoryState.DRAFT, AdvisoryState.APPROVED})


def _require_draft(advisory: Advisory) -> None:
    if advisory.state not in _EDITABLE:
        raise Conflict(f"the advisory is {advisory.state}, no longer a draft")


def _new_revision(actor: Actor, advisory: Advisory, fields: list[str]) -> None:
    """Count a change of what would be published; an approval of the old revision is void."""
    advisory.revision += 1
    advisory.updated_at = now()
    advisory.save(update_fields=[*fields, "revision", "updated_at"])
    if advisory.state == AdvisoryState.APPROVED:
        advisory_transition(actor=actor, advisory=advisory, name="void_approval")


def _audit(actor: Actor, action: str, case: Case, data: dict[str, Any]) -> None:
    audit_append(actor=actor, action=action, object_type="case", object_id=case.human_id, data=data)


@transaction.atomic
def advisory_create(*, actor: Actor, case: Case) -> Advisory:
    """Create the draft advisory of ``case``, seeded from its reports.

    Raises NotFound/PermissionDenied (policy), Conflict (the case has an advisory already, or
    is not accepted).
    """
    require(actor, "advisory.edit", case)
    if case.status in NOT_ACCEPTED:  # accepted first, then an advisory is drafted
        raise Conflict(f"a case that is {case.status} has no advisory")
    content = seed_content(case)
    try:
        with transaction.atomic():
            advisory = Advisory.objects.create(case=case, content=json.dumps(content.to_dict()))
    except IntegrityError:
        raise Conflict("the case has an advisory already") from None
    _audit(actor, "advisory.create", case, {})
    timeline_record(actor=actor, case=case, kind="advisory_drafted", visibility=V.MAINTAINERS)
    return advisory


@transaction.atomic
def advisory_update(*, actor: Actor, advisory: Advisory, changes: dict[str, Any]) -> Advisory:
    """Replace the given top-level fields of the draft content (validated all together).

    Raises InvalidInput naming the first bad field; nothing is stored then.
    """
    require(actor, "advisory.edit", advisory.case)
    locked = _locked_draft(advisory)
    _require_draft(locked)
    current = json.loads(locked.content)
    unknown = set(changes) - set(current)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "is not an advisory field")
    content = content_from_dict({**current, **changes}).to_dict()
    if content == current:
        return locked  # nothing changed: the revision (and any approval) stands
    locked.content = json.dumps(content)
    _audit(actor, "advisory.update", locked.case, {"fields": sorted(changes)})
    _new_revision(actor, locked, ["content"])
    return locked


@transaction.atomic
def advisory_schedule(
    *, actor: Actor, advisory: Advisory, disclose_at: datetime | None
) -> Advisory:
    """Set (or clear) the instant the maintainers chose to disclose a case that has no
    embargo; the worker publishes an approved advisory then (an approval "at the disclosure
    instant" follows the date, so it stands). Raises Conflict for a case under embargo (its
    end is the instant, changed only through ``akrites.confidentiality``)."""
    require(actor, "advisory.schedule", advisory.case)
    if disclose_at is not None and timezone.is_naive(disclose_at):
        raise InvalidInput("disclose_at", "must include a time zone")
    locked = _locked_draft(advisory)
    _require_draft(locked)
    if has_embargo(locked.case):
        raise Conflict("the case is under embargo: change the date through the embargo")
    locked.disclose_at = disclose_at
    locked.updated_at = now()
    locked.save(update_fields=["disclose_at", "updated_at"])
    stamp = disclose_at.isoformat() if disclose_at else None
    _audit(actor, "advisory.schedule", locked.case, {"disclose_at": stamp})
    return locked


@transaction.atomic
def advisory_reserve_cve(
    *, actor: Actor, advisory: Advisory, backend: CnaBackend | None = None
) -> Advisory:
    """Reserve a CVE id for the draft through the CNA backend (configured one by default).

    Raises Conflict (already has one, or no CNA backend), CnaError (the backend failed: nothing
    recorded). An id reserved remotely whose recording then fails stays reserved at the CNA
    and can be rejected there; it is never silently given to another advisory.
    """
    require(actor, "advisory.reserve_cve", advisory.case)
    locked = _locked_draft(advisory)
    _require_draft(locked)
    if locked.cve_id:
        raise Conflict("the advisory has a CVE id already")
    backend = backend or cna_backend()
    if backend is None:
        raise Conflict("no CNA backend is configured (AKRITES_CNA_BACKEND)")
    cve_id = backend.reserve(year=now().year)
    try:
        with transaction.atomic():
            CveReservation.objects.create(cve_id=cve_id, backend=backend.name, advisory=locked)
    except IntegrityError:
        raise Conflict("that CVE id is already recorded; try again") from None
    locked.cve_id = cve_id
    _audit(actor, "advisory.reserve_cve", locked.case, {"cve_id": cve_id})
    timeline_record(
        actor=actor, case=locked.case, kind="cve_reserved", visibility=V.MAINTAINERS, reason=cve_id
    )
    _new_revision(actor, locked, ["cve_id"])
    return locked


@transaction.atomic
def advisory_reject_cve(
    *, actor: Actor, advisory: Advisory, reason: str, backend: CnaBackend | None = None
) -> Advisory:
    """Reject the draft's reserved CVE id (e.g. the case turned out not to be a
    vulnerability). The remote rejection comes last, so its failure leaves the id reserved."""
    require(actor, "advisory.reserve_cve", advisory.case)
    reason = reason.strip()
    if not reason or len(reason) > 1000:
        raise InvalidInput("reason", "a reason of at most 1000 characters is required")
    locked = _locked_draft(advisory)
    _require_draft(locked)
    if not locked.cve_id:
        raise Conflict("the advisory has no CVE id")
    backend = backend or cna_backend()
    if backend is None:
        raise Conflict("no CNA backend is configured (AKRITES_CNA_BACKEND)")
    cve_id = locked.cve_id
    CveReservation.objects.filter(cve_id=cve_id).update(
        state=ReservationState.REJECTED, updated_at=now()
    )
    locked.cve_id = ""
    _audit(actor, "advisory.reject_cve", locked.case, {"cve_id": cve_id})
    timeline_record(
        actor=actor, case=locked.case, kind="cve_rejected", visibility=V.MAINTAINERS, reason=cve_id
    )
    _new_revision(actor, locked, ["cve_id"])
    backend.reject(cve_id=cve_id, reason=reason)
    return locked


@transaction.atomic
def advisory_credit_finders(*, reports: Sequence[Report]) -> None:
    """Add the finders of ``reports`` (which joined their case after its draft was made) to
    the draft's credits, in credit order, as a new revision audited as the system's. Only a
    draft changes: an approved advisory keeps what was approved (the advisory desk lists the
    finders it does not credit) and a published one changes only through a revision. Never
    raises on the finders' data: a credit that does not validate is left out.
    """
    joined: dict[int, set[int]] = {}
    for report in reports:
        if report.case_id is not None:
            joined.setdefault(report.case_id, set()).add(report.pk)
    if not joined:
        return  # no query: intake calls this for every batch
    drafts = (
        Advisory.objects.select_for_update()
        .select_related("case")
        .filter(case_id__in=joined, state=AdvisoryState.DRAFT)
        .order_by("pk")
    )
    for advisory in drafts:
        current = json.loads(advisory.content)
        before = current.get("credits") or []
        credits = credits_with(before, advisory.case, joined[advisory.case_id])
        if credits == before:
            continue
        try:
            content = content_from_dict({**current, "credits": credits}).to_dict()
        except InvalidInput:
            logger.warning(
                "advisory %s: the draft does not validate; finders not added", advisory.pk
            )
            continue
        advisory.content = json.dumps(content)
        _audit(
            CREDITS, "advisory.credit_finders", advisory.case, {"added": len(credits) - len(before)}
        )
        _new_revision(CREDITS, advisory, ["content"])


@transaction.atomic
def advisory_uncredit_finders(*, case: Case, reports: Sequence[Report]) -> None:
    """Remove from ``case``'s draft the credits of the finders of ``reports`` (split out of
    the case), as a new revision audited as the system's; a credit another finder of the
    case still asks for stays. Only a draft changes, as for ``advisory_credit_finders``."""
    advisory = Advisory.objects.select_for_update().filter(case=case).first()
    if advisory is None or advisory.state != AdvisoryState.DRAFT or not reports:
        return
    current = json.loads(advisory.content)
    before = current.get("credits") or []
    credits = credits_without(before, case, list(reports))
    if credits == before:
        return
    advisory.content = json.dumps(content_from_dict({**current, "credits": credits}).to_dict())
    _audit(CREDITS, "advisory.uncredit_finders", case, {"removed": len(before) - len(credits)})
    _new_revision(CREDITS, advisory, ["content"])


def _version(vector: str) -> str:
    return vector.split("/", 1)[0]


@transaction.atomic
def advisory_take_assessment(
    *, actor: Actor, case: Case, previous_cvss: str, previous_cwe: str
) -> None:
    """Carry the SIRT's new assessment of ``case`` into its draft advisory, as a new revision:
    a changed vector replaces the draft's vector of its CVSS version and the one assessed
    before; a changed CWE replaces the one assessed before and comes first. What the draft
    says otherwise stays. Only a draft changes (an approved or published advisory keeps what
    was approved). Called by ``case_severity_assess`` after its policy check (``case.assess``,
    the SIRT's), so it checks none itself."""
    advisory = Advisory.objects.select_for_update().filter(case=case).first()
    if advisory is None or advisory.state != AdvisoryState.DRAFT:
        return
    current = json.loads(advisory.content)
    cvss, cwes = list(current.get("cvss") or []), list(current.get("cwes") or [])
    if case.assessed_cvss and case.assessed_cvss != previous_cvss:
        gone = {_version(case.assessed_cvss), previous_cvss}
        cvss = [case.assessed_cvss, *(v for v in cvss if v not in gone and _version(v) not in gone)]
    if case.assessed_cwe and case.assessed_cwe != previous_cwe:
        cwes = [case.assessed_cwe, *(c for c in cwes if c not in {case.assessed_cwe, previous_cwe})]
    changes = {"cvss": cvss, "cwes": cwes}
    try:
        content = content_from_dict({**current, **changes}).to_dict()
    except InvalidInput:
        logger.warning(
            "advisory %s: the draft does not validate; assessment not taken", advisory.pk
        )
        return
    if content == current:
        return
    advisory.content = json.dumps(content)
    _audit(actor, "advisory.take_assessment", case, {"fields": sorted(changes)})
    _new_revision(actor, advisory, ["content"])
