"""The NinjaAPI instance: authentication, error mapping, and each app's router at /api/v1/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from akrites.api.auth import AUTH
from akrites.core.errors import AkritesError, NotFound, Unauthenticated

# Every operation can answer with the one error envelope; the OpenAPI document says so, so
# clients (and the schema fuzzer) can rely on it.
ERROR_STATUSES = {
    400: "Bad request",
    401: "Authentication required or credentials invalid",
    403: "Not allowed (the object is visible, the action is not)",
    404: "Not found, or not visible to the caller (the same answer)",
    409: "Conflicts with the current state",
    413: "Body, report or attachment too large",
    422: "Invalid input; `field` names the offending field",
    429: "Rate limited; see Retry-After",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
                "retry_after": {"type": "integer"},
            },
        }
    },
}


class AkritesAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    responses.setdefault(str(status), {"description": description, **ref})
        return schema


api = AkritesAPI(
    title="Akrites API",
    version="1",
    description="Coordinated vulnerability disclosure for open source.",
    urls_namespace="api",
    auth=AUTH,
    docs_url="/docs",
)


def error_response(request: HttpRequest, exc: AkritesError) -> HttpResponse:
    """The one JSON error shape: ``{"error": {"code", "message", "field"?}}``."""
    response = api.create_response(request, {"error": exc.as_dict()}, status=exc.http_status)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(AkritesError)
def _domain_error(request: HttpRequest, exc: AkritesError) -> HttpResponse:
    return error_response(request, exc)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload")]
    err = {
        "code": "invalid_input",
        "field": ".".join(loc) or "body",
        "message": str(first.get("msg", "invalid input")),
    }
    return api.create_response(request, {"error": err}, status=422)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, Unauthenticated())


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 404:
        return error_response(request, NotFound())
    err = {"code": "http_error", "message": str(exc.message)}
    return api.create_response(request, {"error": err}, status=exc.status_code)


def _mount() -> None:
    from akrites.accounts.api import router as tokens_router
    from akrites.api.health import router as health_router
    from akrites.cases.api import router as cases_router
    from akrites.cases.triage_api import router as triage_router
    from akrites.confidentiality.api import router as access_router
    from akrites.conversation.api import router as conversation_router
    from akrites.intake.api import router as reports_router
    from akrites.notifications.api import router as notifications_router
    from akrites.projects.api import router as projects_router

    api.add_router("/", health_router)
    # Confidentiality routes name their own paths (/cases/{id}/embargo, /orgs/{slug}/sboms).
    api.add_router("/", access_router)
    api.add_router("/", conversation_router)
    from akrites.exports.api import router as exports_router

    api.add_router("/", exports_router)
    api.add_router("/cases", cases_router)
    api.add_router("/triage", triage_router)
    api.add_router("/projects", projects_router)
    api.add_router("/reports", reports_router)
    api.add_router("/tokens", tokens_router)
    api.add_router("/notifications", notifications_router)
    from akrites.disclosure.api import router as advisories_router

    api.add_router("/advisories", advisories_router)
    # Remediation routes name their own paths (/cases/{case_id}/patches, /projects/{slug}/terms).
    from akrites.remediation.api import router as remediation_router
    from akrites.remediation.api_terms import router as terms_router

    api.add_router("/", remediation_router)
    api.add_router("/", terms_router)


_mount()
