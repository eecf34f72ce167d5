"""Public advisory pages (anonymous): list and search, detail, documents, rejections.

Every view reads only the public tables through ``selectors``; nothing here can reach a draft.
"""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from akrites.core.errors import NotFound
from akrites.disclosure import selectors, signing
from akrites.disclosure.models import DocumentKind, PublishedDocument
from akrites.disclosure.services import documents

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
        "documents": selectors.public_documents(public),
        "revisions": selectors.public_revisions(public),
    }
    return render(request, "disclosure/detail.html", context)


def document_response(doc: PublishedDocument, suffix: str, name: str) -> HttpResponse:
    """The document, or its ``.sha256`` / ``.sha512`` or ``.sig`` file.

    ``name`` is the file name the document is served under (the last segment of its URL):
    the checksum files name exactly that, in ``sha256sum`` format, so ``sha256sum -c`` works
    next to a download (CSAF 2.0 requirement 18), and the document says so in its
    Content-Disposition for clients that save under that header's name.
    """
    if suffix == "":
        response = HttpResponse(doc.content.encode("utf-8"), content_type=_JSON)
        disposition = content_disposition_header(False, name)
        if disposition:  # None only for an empty name, which no route gives
            response["Content-Disposition"] = disposition
    elif suffix in (".sha256", ".sha512"):
        digest = doc.sha256 if suffix == ".sha256" else doc.sha512
        response = HttpResponse(f"{digest}  {name}\n", content_type="text/plain")
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


def _kind_of(base: str, public_id: str) -> str:
    """``osv.json`` or the document's own name ``AKRITES-2026-00001.osv.json`` (for CSAF,
    ``akrites-2026-00001.json``) → its kind; NotFound for any other name."""
    for kind in DocumentKind.values:
        if base in (f"{kind}.json", documents.filename(kind, public_id)):
            return kind
    raise NotFound()


def _document(public_id: str, filename: str, version: int | None) -> HttpResponse:
    public = selectors.public_get(public_id=public_id)
    base, suffix = split_suffix(filename)
    kind = _kind_of(base, public.public_id)
    doc = selectors.public_document(public=public, kind=kind, version=version)
    return document_response(doc, suffix, base)


@require_GET
def advisory_document(request: HttpRequest, public_id: str, filename: str) -> HttpResponse:
    """The latest version's ``osv.json``, ``cve.json``, ``csaf.json``, ``openvex.json``,
    ``cyclonedx.json`` (or the same under the document's own file name) and their ``.sig``,
    ``.sha256``, ``.sha512`` companions."""
    return _document(public_id, filename, None)


@require_GET
def advisory_version_document(
    request: HttpRequest, public_id: str, version: int, filename: str
) -> HttpResponse:
    """The same files of one published version: a stable URL for every version."""
    if version < 1:
        raise NotFound()
    return _document(public_id, filename, version)


@require_GET
def rejection_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "disclosure/rejections.html", {"rejections": selectors.published_rejections()}
    )


@require_GET
def signing_key(request: HttpRequest) -> HttpResponse:
    return HttpResponse(signing.public_key_pem(), content_type="application/x-pem-file")
