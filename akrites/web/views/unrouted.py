"""The SIRT's unrouted queue: reports no case holds yet, and routing one to a project.

A report on a package Akrites does not know waits here until the SIRT registers a project
for its package or adds the package to an existing project; the waiting reports on that
package then take the normal route (``intake.services.unrouted``). SIRT only: anyone else
gets the same 404 as for a page that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from akrites.core.errors import InvalidInput
from akrites.intake import selectors
from akrites.intake.services.unrouted import (
    REGISTER_FIELDS,
    NewProject,
    RouteResult,
    prefill,
    unrouted_attach,
    unrouted_register,
)


@login_required
@require_GET
def unrouted_queue(request: HttpRequest) -> HttpResponse:
    context = {
        "waiting": selectors.unrouted_list(viewer=request.user, limit=200),
        "answered": selectors.answered_list(viewer=request.user, limit=50),
    }
    return render(request, "web/unrouted_queue.html", context)


@login_required
@require_GET
def unrouted_report(request: HttpRequest, report_id: str) -> HttpResponse:
    return _page(request, report_id)


@login_required
@require_POST
def unrouted_register_view(request: HttpRequest, report_id: str) -> HttpResponse:
    values = {k: request.POST.get(k, "").strip()[:500] for k in REGISTER_FIELDS}
    try:
        result = unrouted_register(
            actor=request.user, report_id=report_id, new=NewProject(**values)
        )
    except InvalidInput as exc:
        return _page(request, report_id, form="register", values=values, error=exc)
    return _routed(request, result)


@login_required
@require_POST
def unrouted_attach_view(request: HttpRequest, report_id: str) -> HttpResponse:
    values = {k: request.POST.get(k, "").strip()[:500] for k in ("project", "purl")}
    try:
        result = unrouted_attach(
            actor=request.user,
            report_id=report_id,
            project_slug=values["project"],
            purl=values["purl"],
        )
    except InvalidInput as exc:
        return _page(request, report_id, form="attach", values=values, error=exc)
    return _routed(request, result)


def _routed(request: HttpRequest, result: RouteResult) -> HttpResponse:
    cases = sorted({r.case.human_id for r in result.reports if r.case is not None})
    messages.success(
        request,
        f"{result.package.purl} is now a package of {result.project.name}; "
        f"{len(result.reports)} report(s) routed"
        + (f" into {', '.join(cases)}." if cases else " (none opened a case)."),
    )
    return redirect("web:unrouted")


def _page(
    request: HttpRequest,
    report_id: str,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    error: InvalidInput | None = None,
) -> HttpResponse:
    report = selectors.unrouted_get(viewer=request.user, public_id=report_id)
    filled, values = prefill(report.purl), values or {}
    context = {
        "report": report,
        "together": selectors.unrouted_same_package(viewer=request.user, report=report),
        "projects": selectors.route_targets(viewer=request.user),
        "register": {**filled, **(values if form == "register" else {})},
        "attach": {"purl": filled["purl"], **(values if form == "attach" else {})},
        "form": form,
        "error": error,
    }
    return render(
        request, "web/unrouted_report.html", context, status=422 if error is not None else 200
    )
