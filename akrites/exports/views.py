"""The case room's "download this case as JSON"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from akrites.exports.export import case_export, export_json


@login_required
@require_GET
def case_export_download(request: HttpRequest, case_id: str) -> HttpResponse:
    """The case export as a download; without a fresh code, StepUpMiddleware asks for one."""
    bundle = case_export(viewer=request.user, human_id=case_id)
    response = HttpResponse(export_json(bundle), content_type="application/json")
    # The case id is ours (AKR-YYYY-NNNNN), never user input, so it may go into the header.
    response["Content-Disposition"] = f'attachment; filename="{bundle["case"]["id"]}.json"'
    response["Cache-Control"] = "no-store"
    return response
