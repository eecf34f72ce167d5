"""Publication: every document of an advisory appears together, at or after the instant.

``advisory_publish`` renders and validates all five documents before it writes anything, then,
in one transaction, stores them signed, moves the case to ``disclosed`` (or records that
``break_embargo`` already did), ends observers' and downstreams' access, appends the audit
entry — and only then publishes the CVE record. CVE Services is the one step outside our
database, so it goes last: when it fails, the exception rolls every row back and nothing is
public. When it succeeds but our commit then fails, a retry updates the record it finds
already published (see ``CveServicesBackend.publish``), so the two converge.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.db import transaction
from django.db.models import F

from akrites.access.policy import require
from akrites.audit.services import audit_append
from akrites.cases.lifecycle import BY_NAME
from akrites.cases.models import Case, CaseParticipant, ParticipantRole, Status
from akrites.cases.services import case_transition, participant_revoke
from akrites.core.clock import now
from akrites.core.errors import AkritesError, Conflict, InvalidInput, NotFound
from akrites.disclosure import conf
from akrites.disclosure.cna import CnaBackend, cna_backend
from akrites.disclosure.content import AdvisoryContent, content_from_dict
from akrites.disclosure.instant import disclosure_instant
from akrites.disclosure.models import (
    Advisory,
    AdvisoryCounter,
    AdvisoryState,
    CveReservation,
    PublicAdvisory,
    PublicAffected,
    PublicCommit,
    PublishedDocument,
    ReservationState,
)
from akrites.disclosure.ranges import osv_package
from akrites.disclosure.renderers import KINDS, RenderContext, render_and_validate
from akrites.disclosure.renderers.context import severity_label
from akrites.disclosure.renderers.csaf import csaf_filename
from akrites.disclosure.signing import sign

logger = logging.getLogger(__name__)
_PUBLISHABLE = BY_NAME["disclose"].sources
_ACCESS_ENDS = (ParticipantRole.OBSERVER, ParticipantRole.DOWNSTREAM)


def _next_number(year: int) -> int:
    """The next public advisory number for ``year`` (inside the caller's transaction)."""
    AdvisoryCounter.objects.bulk_create([AdvisoryCounter(year=year, last=0)], ignore_conflicts=True)
    AdvisoryCounter.objects.filter(year=year).update(last=F("last") + 1)
    return int(AdvisoryCounter.objects.values_list("last", flat=True).get(year=year))


def _check_due(case: Case) -> bool:
    """Raise Conflict unless the case may be disclosed now; True if it already is."""
    if case.status == Status.DISCLOSED:
        return True
    if case.status not in _PUBLISHABLE:
        raise Conflict(f"a case that is {case.status} cannot be disclosed")
    instant = disclosure_instant(case)
    if instant is None:
        raise Conflict("no disclosure instant is set (embargo end or disclose_at)")
    if now() < instant:
        raise Conflict(f"embargoed until {instant:%Y-%m-%dT%H:%M:%SZ}")
    return False


def _filename(kind: str, public_id: str) -> str:
    return csaf_filename(public_id) if kind == "csaf" else f"{public_id}.{kind}.json"


def _store(
    advisory: Advisory, content: AdvisoryContent, ctx: RenderContext, texts: dict[str, str]
) -> PublicAdvisory:
    public = PublicAdvisory.objects.create(
        advisory=advisory,
        public_id=ctx.public_id,
        osv_id=ctx.osv_id,
        cve_id=ctx.cve_id,
        year=ctx.published.year,
        summary=content.summary,
        details=content.details,
        severity=severity_label(content),
        search_text=" ".join(
            [ctx.public_id, ctx.osv_id, ctx.cve_id, content.summary, *content.aliases]
            + [a.purl for a in content.affected]
        ).lower(),
        published_at=ctx.published,
        modified_at=ctx.modified,
    )
    docs = []
    for kind in KINDS:
        data = texts[kind].encode("utf-8")
        docs.append(
            PublishedDocument(
                public=public,
                kind=kind,
                filename=_filename(kind, ctx.public_id),
                content=texts[kind],
                sha256=hashlib.sha256(data).hexdigest(),
                sha512=hashlib.sha512(data).hexdigest(),
                signature=sign(data),
                published_at=ctx.published,
            )
        )
    PublishedDocument.objects.bulk_create(docs)
    affected, commits = [], []
    for a in content.affected:
        pkg = osv_package(a.purl)
        affected.append(
            PublicAffected(
                public=public,
                ecosystem=pkg.ecosystem,
                name=pkg.name,
                purl=a.purl,
                vers=a.vers or "",
            )
        )
        commits += [
            PublicCommit(public=public, commit=commit)
            for g in a.git
            for kind, commit in g.events
            if kind in ("introduced", "last_affected") and commit != "0"
        ]
    PublicAffected.objects.bulk_create(affected)
    PublicCommit.objects.bulk_create(commits)
    return public


def _end_observer_access(actor: Any, case: Case) -> int:
    active = CaseParticipant.objects.filter(
        case=case, role__in=_ACCESS_ENDS, revoked_at__isnull=True
    ).select_related("user")
    count = 0
    for participation in active:
        participant_revoke(actor=actor, case=case, user=participation.user, role=participation.role)
        count += 1
    return count


@transaction.atomic
def advisory_publish(
    *, actor: Any, case: Case, backend: CnaBackend | None = None
) -> PublicAdvisory:
    """Publish the advisory of ``case`` with all its documents, or nothing.

    Raises NotFound/PermissionDenied (policy; a case without advisory is NotFound), Conflict
    (already published; case not in a disclosable status; before the disclosure instant),
    InvalidInput (no affected package), DocumentInvalid (a document does not validate),
    CnaError (CVE Services failed). In each case nothing is published.
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
    if advisory.state != AdvisoryState.DRAFT:
        raise Conflict(f"the advisory is {advisory.state} already")
    already_disclosed = _check_due(advisory.case)
    content = content_from_dict(json.loads(advisory.content))
    if not any(a.vers for a in content.affected):
        raise InvalidInput("affected", "name an affected package with a version range first")
    at = now().replace(microsecond=0)
    public_id = f"AKRITES-{at.year}-{_next_number(at.year):05d}"
    ctx = RenderContext(
        public_id=public_id,
        osv_id=f"{conf.osv_prefix()}{public_id}",
        cve_id=advisory.cve_id,
        published=at,
        modified=at,
        base_url=conf.base_url(),
        publisher=conf.publisher_name(),
        cve_org_id=conf.cve_org_id(),
    )
    texts = render_and_validate(content, ctx)
    public = _store(advisory, content, ctx, texts)
    advisory.state, advisory.published_at, advisory.updated_at = AdvisoryState.PUBLISHED, at, at
    advisory.save(update_fields=["state", "published_at", "updated_at"])
    if not already_disclosed:
        case_transition(actor=actor, case=advisory.case, name="disclose")
    revoked = _end_observer_access(actor, advisory.case)
    audit_append(
        actor=actor,
        action="advisory.publish",
        object_type="case",
        object_id=advisory.case.human_id,
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
        backend.publish(cve_id=advisory.cve_id, cna_container=json.loads(texts["cve"]))
    return public


def publish_due(*, actor: Any) -> list[str]:
    """Publish every draft whose disclosure instant has come (the worker's periodic job).

    Each advisory is published in its own transaction; one that fails (CVE Services down, a
    document that does not validate) is logged by case id and retried on the next run,
    without holding back the others. Returns the public ids published.
    """
    drafts = Advisory.objects.filter(
        state=AdvisoryState.DRAFT, case__status__in=[*_PUBLISHABLE, Status.DISCLOSED]
    ).select_related("case", "case__project")
    published: list[str] = []
    for advisory in drafts:
        case = advisory.case
        if case.status != Status.DISCLOSED:
            instant = disclosure_instant(case)
            if instant is None or now() < instant:
                continue
        try:
            published.append(advisory_publish(actor=actor, case=case).public_id)
        except AkritesError as exc:
            logger.warning("advisory of %s not published: %s", case.human_id, exc.code)
    return published
