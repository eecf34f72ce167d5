"""``GET /api/v1/cases/{case_id}/export``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from akrites.exports.export import case_export, export_json

router = Router(tags=["confidentiality"])


@router.get("/cases/{case_id}/export", response=dict[str, Any])
def export(request: HttpRequest, case_id: str) -> HttpResponse:
    """Everything the caller may see of the case, as one JSON document (SIRT and maintainers,
    with a fresh second factor in the browser session; API tokens cannot export)."""
    bundle = case_export(viewer=request.user, human_id=case_id)
    response = HttpResponse(export_json(bundle), content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response
