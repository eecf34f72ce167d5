"""Public advisory pages (anonymous): list and search, detail, documents, rejections.

Every view reads only the public tables through ``selectors``; nothing here can reach a draft.
"""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from akrites.core.errors import NotFound
from akrites.disclosure import selectors, signing
from akrites.disclosure.models import DocumentKind, PublishedDocument

_JSON = "application/json"


@require_GET
def advisory_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    advisories = selectors.public_list(query=query, limit=100)
    return render(request, "disclosure/list.html", {"advisories": advisories, "query": query})


@require_GET
def advisory_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    public = selectors.public_get(public_id=public_id)
    context = {
        "advisory": public,
        "osv": selectors.osv_json(public),
        "documents": public.documents.order_by("kind"),
    }
    return render(request, "disclosure/detail.html", context)


def document_response(doc: PublishedDocument, suffix: str) -> HttpResponse:
    """The document, or its ``.sha256`` / ``.sha512`` (sha256sum format) or ``.sig`` file."""
    if suffix == "":
        response = HttpResponse(doc.content.encode("utf-8"), content_type=_JSON)
    elif suffix in (".sha256", ".sha512"):
        digest = doc.sha256 if suffix == ".sha256" else doc.sha512
        response = HttpResponse(f"{digest}  {doc.filename}\n", content_type="text/plain")
    elif suffix == ".sig":
        response = HttpResponse(
            base64.b64decode(doc.signature), content_type="application/octet-stream"
        )
    else:
        raise NotFound()
    response["Access-Control-Allow-Origin"] = "*"  # mirrors and browser tools fetch these
    return response


def split_suffix(filename: str) -> tuple[str, str]:
    for suffix in (".sha256", ".sha512", ".sig"):
        if filename.endswith(suffix):
            return filename[: -len(suffix)], suffix
    return filename, ""


@require_GET
def advisory_document(request: HttpRequest, public_id: str, filename: str) -> HttpResponse:
    """``osv.json``, ``cve.json``, ``csaf.json``, ``openvex.json``, ``cyclonedx.json`` and
    their ``.sig``, ``.sha256``, ``.sha512`` companions."""
    base, suffix = split_suffix(filename)
    kind = base.removesuffix(".json")
    if not base.endswith(".json") or kind not in DocumentKind.values:
        raise NotFound()
    public = selectors.public_get(public_id=public_id)
    return document_response(selectors.public_document(public=public, kind=kind), suffix)


@require_GET
def rejection_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "disclosure/rejections.html", {"rejections": selectors.published_rejections()}
    )


@require_GET
def signing_key(request: HttpRequest) -> HttpResponse:
    return HttpResponse(signing.public_key_pem(), content_type="application/x-pem-file")
