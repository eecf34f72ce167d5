"""The OSV-compatible API at ``/v1/`` (osv.dev's paths, so OSV clients work unchanged).

A second NinjaAPI instance, not a router on ``/api/v1/``: OSV clients (osv-scanner and
friends) take a base URL and append ``/v1/query``, so the paths must be exactly osv.dev's; a
separate instance also keeps this public, unauthenticated, CSRF-free surface apart from our
own API's authentication and error shape. Errors answer in osv.dev's shape
(``{"code": 3, "message": …}``, gRPC's INVALID_ARGUMENT / NOT_FOUND) and carry our
``error`` object too. Bodies are parsed by hand rather than by pydantic so that every bad
input gets the same clear 400 with the field's path.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from akrites.core.errors import AkritesError, InvalidInput, NotFound
from akrites.disclosure import osv_query, selectors

MAX_BODY = 1024 * 1024

osv_api = NinjaAPI(
    title="Akrites OSV-compatible API",
    version="1",
    description="osv.dev's query API over Akrites' published advisories.",
    urls_namespace="osv",
    auth=None,
    docs_url="/docs",
)

_GRPC = {404: 5, 400: 3}


@osv_api.exception_handler(AkritesError)
def _error(request: HttpRequest, exc: AkritesError) -> HttpResponse:
    # Validation errors are 400 here, as on osv.dev, rather than our API's 422.
    status = 404 if isinstance(exc, NotFound) else 400
    message = "Bug not found." if status == 404 else f"{getattr(exc, 'field', '')}: {exc.message}"
    body = {"code": _GRPC[status], "message": message, "error": exc.as_dict()}
    return osv_api.create_response(request, body, status=status)


def _body(request: HttpRequest) -> Any:
    if len(request.body) > MAX_BODY:
        raise InvalidInput("body", "is too large")
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        raise InvalidInput("body", "is not valid JSON") from None


@osv_api.post("/query", summary="Vulnerabilities of a package version or commit")
def query(request: HttpRequest) -> dict[str, Any]:
    found = osv_query.run_query(osv_query.parse_query(_body(request)))
    # osv.dev answers an empty object when nothing matches.
    return {"vulns": [selectors.osv_json(p) for p in found]} if found else {}


@osv_api.post("/querybatch", summary="Many queries at once; ids and modified times only")
def querybatch(request: HttpRequest) -> dict[str, Any]:
    results = []
    for q in osv_query.parse_batch(_body(request)):
        found = osv_query.run_query(q)
        vulns = [
            {"id": p.osv_id, "modified": p.modified_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
            for p in found
        ]
        results.append({"vulns": vulns} if vulns else {})
    return {"results": results}


@osv_api.get("/vulns/{vuln_id}", summary="One OSV record by id")
def vuln(request: HttpRequest, vuln_id: str) -> dict[str, Any]:
    return selectors.osv_json(selectors.public_get(public_id=vuln_id))
