"""Reads for disclosure.

Drafts are read through the policy (``case.read_advisory_draft``: the SIRT, the maintainers,
and those the maintainers pre-notified — preparing for the advisory is what that is for).
Public reads take no viewer on purpose: they read only the public tables, which hold nothing
that is not published, so there is nothing to filter and nothing to forget.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet

from akrites.access.policy import allowed_cases, require
from akrites.cases.models import Case
from akrites.cases.selectors import case_get
from akrites.core.actors import Actor
from akrites.core.errors import NotFound
from akrites.disclosure.models import (
    Advisory,
    AdvisoryApproval,
    AdvisoryState,
    PublicAdvisory,
    PublicRevision,
    PublishedDocument,
    PublishedRejection,
)
from akrites.disclosure.seed import case_reports, report_credits

MAX_PAGE = 200


@dataclass(frozen=True)
class Finder:
    """One report of the case as the advisory desk lists it: when it arrived, the credit its
    finder asked for (``"Anonymous"``, or nothing) and whether the draft's credits carry it."""

    rank: int | None
    received_at: datetime
    credits: tuple[str, ...]
    credited: bool


def draft_finders(*, viewer: Actor, case: Case, content: dict[str, Any]) -> list[Finder]:
    """Every finder of ``case`` in credit order, matched against the credits of ``content``
    (the draft's). An anonymous finder is only ever "Anonymous" here. Raises NotFound /
    PermissionDenied (policy: ``advisory.edit``)."""
    require(viewer, "advisory.edit", case)
    listed = [c.get("name") for c in content.get("credits") or [] if isinstance(c, dict)]
    finders = []
    for report in case_reports(case):
        names = tuple(c["name"] for c in report_credits(report))
        credited = bool(names) and all(name in listed for name in names)
        for name in names:
            if name in listed:
                listed.remove(name)  # each "Anonymous" listed credits one anonymous finder
        finders.append(Finder(report.credit_rank, report.created_at, names, credited))
    return finders


def advisory_for_case(*, viewer: Actor, human_id: str) -> Advisory:
    """The advisory (draft or published) of a case whose draft the viewer may read."""
    case = case_get(viewer=viewer, human_id=human_id)
    require(viewer, "case.read_advisory_draft", case)
    try:
        return Advisory.objects.select_related("case", "case__project").get(case=case)
    except Advisory.DoesNotExist:
        raise NotFound() from None


def advisories_for(*, viewer: Actor, cases: Sequence[Case]) -> dict[int, Advisory]:
    """Per case id, the advisory of each of ``cases`` whose draft the viewer may read
    (``case.read_advisory_draft``); two queries for the list (for the inbox)."""
    readable = allowed_cases(viewer, "case.read_advisory_draft", cases)
    if not readable:
        return {}
    return {a.case_id: a for a in Advisory.objects.filter(case_id__in=readable)}


def current_approval(advisory: Advisory) -> AdvisoryApproval | None:
    """The approval in force (an advisory the caller may read), or None when not approved."""
    if advisory.state != AdvisoryState.APPROVED:
        return None
    return advisory.approvals.order_by("-approved_at", "-id").first()


def public_of(advisory: Advisory) -> PublicAdvisory | None:
    """The public face of an advisory the caller may read, once published."""
    return PublicAdvisory.objects.filter(advisory=advisory).first()


def public_list(*, query: str = "", limit: int = 50, offset: int = 0) -> list[PublicAdvisory]:
    """Published advisories, newest first; ``query`` matches ids, aliases, purls and summary."""
    qs: QuerySet[PublicAdvisory] = PublicAdvisory.objects.all()
    for word in query.lower().split()[:8]:
        qs = qs.filter(Q(search_text__contains=word) | Q(details__icontains=word))
    limit = max(1, min(limit, MAX_PAGE))
    return list(qs.order_by("-published_at", "-id")[max(0, offset) : max(0, offset) + limit])


def public_get(*, public_id: str) -> PublicAdvisory:
    """A published advisory by its public id or OSV id; NotFound otherwise."""
    found = PublicAdvisory.objects.filter(Q(public_id=public_id) | Q(osv_id=public_id)).first()
    if found is None:
        raise NotFound()
    return found


def public_document(
    *, public: PublicAdvisory, kind: str, version: int | None = None
) -> PublishedDocument:
    """The document of ``kind`` of the latest version, or of ``version``."""
    try:
        return public.documents.get(kind=kind, version=version or public.version)
    except PublishedDocument.DoesNotExist:
        raise NotFound() from None


def public_documents(public: PublicAdvisory) -> list[PublishedDocument]:
    """The documents of the latest version, by kind."""
    return list(public.documents.filter(version=public.version).order_by("kind"))


def public_revisions(public: PublicAdvisory) -> list[PublicRevision]:
    """Every published version, oldest first."""
    return list(public.revisions.order_by("number"))


def osv_json(public: PublicAdvisory) -> dict[str, Any]:
    """The published OSV record, as served."""
    value: dict[str, Any] = json.loads(public_document(public=public, kind="osv").content)
    return value


def csaf_documents(*, year: int | None = None) -> list[PublishedDocument]:
    # The provider directory serves the latest version of each document under its one name.
    qs = PublishedDocument.objects.filter(kind="csaf", version=F("public__version"))
    qs = qs.select_related("public")
    if year is not None:
        qs = qs.filter(public__year=year)
    return list(qs.order_by("-published_at", "-id"))


def csaf_years() -> list[int]:
    return sorted(set(PublicAdvisory.objects.values_list("year", flat=True)), reverse=True)


def csaf_document(*, year: int, filename: str) -> PublishedDocument:
    doc = PublishedDocument.objects.filter(
        kind="csaf", public__year=year, filename=filename, version=F("public__version")
    ).first()
    if doc is None:
        raise NotFound()
    return doc


def published_rejections(*, limit: int = 100) -> list[PublishedRejection]:
    return list(
        PublishedRejection.objects.order_by("-published_at", "-id")[: max(1, min(limit, 500))]
    )
