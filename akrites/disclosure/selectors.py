"""Reads for disclosure.

Drafts are read through the policy (``case.read_advisory_draft``: the SIRT, the maintainers,
and those the maintainers pre-notified — preparing for the advisory is what that is for).
Public reads take no viewer on purpose: they read only the public tables, which hold nothing
that is not published, so there is nothing to filter and nothing to forget.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q, QuerySet

from akrites.access.policy import require
from akrites.cases.selectors import case_get
from akrites.core.errors import NotFound
from akrites.disclosure.models import (
    Advisory,
    PublicAdvisory,
    PublishedDocument,
    PublishedRejection,
)

MAX_PAGE = 200


def advisory_for_case(*, viewer: Any, human_id: str) -> Advisory:
    """The advisory (draft or published) of a case whose draft the viewer may read."""
    case = case_get(viewer=viewer, human_id=human_id)
    require(viewer, "case.read_advisory_draft", case)
    try:
        return Advisory.objects.select_related("case", "case__project").get(case=case)
    except Advisory.DoesNotExist:
        raise NotFound() from None


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


def public_document(*, public: PublicAdvisory, kind: str) -> PublishedDocument:
    try:
        return public.documents.get(kind=kind)
    except PublishedDocument.DoesNotExist:
        raise NotFound() from None


def osv_json(public: PublicAdvisory) -> dict[str, Any]:
    """The published OSV record, as served."""
    value: dict[str, Any] = json.loads(public_document(public=public, kind="osv").content)
    return value


def csaf_documents(*, year: int | None = None) -> list[PublishedDocument]:
    qs = PublishedDocument.objects.filter(kind="csaf").select_related("public")
    if year is not None:
        qs = qs.filter(public__year=year)
    return list(qs.order_by("-published_at", "-id"))


def csaf_years() -> list[int]:
    return sorted(set(PublicAdvisory.objects.values_list("year", flat=True)), reverse=True)


def csaf_document(*, year: int, filename: str) -> PublishedDocument:
    doc = PublishedDocument.objects.filter(
        kind="csaf", public__year=year, filename=filename
    ).first()
    if doc is None:
        raise NotFound()
    return doc


def published_rejections(*, limit: int = 100) -> list[PublishedRejection]:
    return list(
        PublishedRejection.objects.order_by("-published_at", "-id")[: max(1, min(limit, 500))]
    )
