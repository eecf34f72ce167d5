"""The CSAF 2.0 provider layout under ``/.well-known/csaf/`` (CSAF 2.0 §7.1).

``provider-metadata.json`` (requirement 7), a ROLIE feed (15 and 16), ``white/<year>/`` directories
(11, 14) with ``index.txt`` and ``changes.csv`` (12, 13), and for each document its ``.sha256``
and ``.sha512`` (18) and a detached signature. Our signatures are Ed25519 (``.sig``) rather than
OpenPGP (``.asc``, requirement 19), so we declare the ``csaf_provider`` role, not
``csaf_trusted_provider``, until an OpenPGP signature is added beside them.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from akrites.core.clock import now
from akrites.disclosure import conf, selectors
from akrites.disclosure.views import document_response, split_suffix

FEED_NAME = "akrites-csaf-feed-tlp-white.json"
_STAMP = "%Y-%m-%dT%H:%M:%SZ"


def _root() -> str:
    return f"{conf.base_url()}/.well-known/csaf"


def _json(doc: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(json.dumps(doc, indent=2) + "\n", content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _last_updated() -> str:
    docs = selectors.csaf_documents()
    return (docs[0].published_at if docs else now()).strftime(_STAMP)


def provider_metadata_doc() -> dict[str, Any]:
    return {
        "canonical_url": f"{_root()}/provider-metadata.json",
        "distributions": [
            {
                "rolie": {
                    "feeds": [
                        {
                            "summary": "Akrites advisories (TLP:WHITE)",
                            "tlp_label": "WHITE",
                            "url": f"{_root()}/white/{FEED_NAME}",
                        }
                    ]
                }
            },
            {"directory_url": f"{_root()}/white/"},
        ],
        "last_updated": _last_updated(),
        "list_on_CSAF_aggregators": True,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": True,
        "publisher": {
            "category": "coordinator",
            "name": conf.publisher_name(),
            "namespace": conf.base_url(),
        },
        "role": "csaf_provider",
    }


@require_GET
def provider_metadata(request: HttpRequest) -> HttpResponse:
    return _json(provider_metadata_doc())


def _url(doc: Any) -> str:
    return f"{_root()}/white/{doc.public.year}/{doc.filename}"


@require_GET
def rolie_feed(request: HttpRequest) -> HttpResponse:
    entries = [
        {
            "id": doc.public.public_id,
            "title": doc.public.summary,
            "link": [
                {"rel": "self", "href": _url(doc)},
                {"rel": "hash", "href": f"{_url(doc)}.sha256"},
                {"rel": "hash", "href": f"{_url(doc)}.sha512"},
                {"rel": "signature", "href": f"{_url(doc)}.sig"},
            ],
            "published": doc.public.published_at.strftime(_STAMP),
            "updated": doc.public.modified_at.strftime(_STAMP),
            "summary": {"content": doc.public.summary},
            "content": {"type": "application/json", "src": _url(doc)},
            "format": {
                "schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
                "version": "2.0",
            },
        }
        for doc in selectors.csaf_documents()
    ]
    feed = {
        "feed": {
            "id": "akrites-csaf-feed-tlp-white",
            "title": "Akrites CSAF feed (TLP:WHITE)",
            "link": [{"rel": "self", "href": f"{_root()}/white/{FEED_NAME}"}],
            "category": [
                {"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}
            ],
            "updated": _last_updated(),
            "entry": entries,
        }
    }
    return _json(feed)


@require_GET
def index_txt(request: HttpRequest) -> HttpResponse:
    lines = [f"{d.public.year}/{d.filename}\n" for d in selectors.csaf_documents()]
    return HttpResponse("".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def changes_csv(request: HttpRequest) -> HttpResponse:
    lines = [
        f'"{d.public.year}/{d.filename}","{d.public.modified_at.strftime(_STAMP)}"\n'
        for d in selectors.csaf_documents()
    ]
    return HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")


@require_GET
def white_directory(request: HttpRequest) -> HttpResponse:
    names = [f"{year}/" for year in selectors.csaf_years()]
    names += ["index.txt", "changes.csv", FEED_NAME]
    return _listing(names)


@require_GET
def year_directory(request: HttpRequest, year: int) -> HttpResponse:
    names = [
        f"{d.filename}{suffix}"
        for d in selectors.csaf_documents(year=year)
        for suffix in ("", ".sha256", ".sha512", ".sig")
    ]
    return _listing(names)


def _listing(names: list[str]) -> HttpResponse:
    """A plain directory listing (names are ids and years, never content)."""
    items = "".join(f'<li><a href="{n}">{n}</a></li>' for n in names)
    return HttpResponse(f"<!doctype html><title>Index</title><ul>{items}</ul>")


@require_GET
def year_file(request: HttpRequest, year: int, filename: str) -> HttpResponse:
    base, suffix = split_suffix(filename)
    return document_response(selectors.csaf_document(year=year, filename=base), suffix, base)
