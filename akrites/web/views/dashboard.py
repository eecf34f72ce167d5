"""The SIRT dashboard: queue summary, clock breaches, and charts over time (SVG images)."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from akrites.cases.selectors import case_get
from akrites.cases.triage import selectors as triage
from akrites.cases.triage.services import case_claim, case_release
from akrites.core.errors import Conflict, InvalidInput
from akrites.intake.selectors import unrouted_count
from akrites.web import charts, metrics, queue

# The period picker's choices: days of daily intake, and the weeks the weekly charts span.
PERIODS = {"30": (30, 8), "90": (90, 13), "365": (365, 52)}
DEFAULT_PERIOD = "90"
QUEUE_ROWS = 25
# An SVG opened directly is a document: it may style itself but fetch and run nothing.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _period(request: HttpRequest) -> tuple[str, int, int]:
    key = request.GET.get("period", DEFAULT_PERIOD)
    key = key if key in PERIODS else DEFAULT_PERIOD  # an unknown value falls back, never errors
    days, weeks = PERIODS[key]
    return key, days, weeks


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    key, days, weeks = _period(request)
    projects = triage.queue_projects(viewer=request.user, statuses=queue.OPEN_STATUSES)
    filters = queue.filters_from(request.GET, projects)
    rows = triage.triage_queue(
        viewer=request.user,
        limit=QUEUE_ROWS,
        statuses=filters.statuses,
        keep=filters.predicate(request.user.pk),
    )
    context = {
        "summary": metrics.dashboard_summary(viewer=request.user),
        "unrouted": unrouted_count(viewer=request.user),
        "rows": rows,
        "filters": filters,
        "filter_items": [(k, v) for k, v in asdict(filters).items() if v],
        "choices": {
            "status": queue.STATUS_CHOICES,
            "band": queue.BAND_CHOICES,
            "project": [("", "Any project"), *projects],
            "clock": queue.CLOCK_CHOICES,
            "claim": queue.CLAIM_CHOICES,
        },
        "intake": metrics.intake_per_day(viewer=request.user, days=days),
        "duplicates": metrics.duplicate_rate_per_week(viewer=request.user, weeks=weeks),
        "delays": metrics.time_to_milestones(viewer=request.user, weeks=weeks),
        "period": key,
        "periods": [("30", "30 days"), ("90", "90 days"), ("365", "One year")],
    }
    return render(request, "web/dashboard.html", context)


@login_required
@require_POST
def queue_claim(request: HttpRequest, case_id: str, op: str) -> HttpResponse:
    """Claim (or release) one case from the dashboard's queue, then back to the same filters.

    A second click is harmless: claiming a case one holds is a no-op, and a case someone
    else took meanwhile answers with a message, never a second claim.
    """
    case = case_get(viewer=request.user, human_id=case_id)
    service = case_claim if op == "claim" else case_release
    try:
        service(actor=request.user, case=case)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, f"{case.human_id}: {exc.message}")
    else:
        done = "claimed" if op == "claim" else "released"
        messages.success(request, f"{case.human_id} {done}.")
    back = queue.filters_from(request.POST, [(request.POST.get("project", ""), "")])
    query = back.querystring()
    return redirect(f"{reverse('web:dashboard')}{'?' + query if query else ''}#queue-h")


@login_required
@require_GET
def chart(request: HttpRequest, name: str) -> HttpResponse:
    """One chart as ``image/svg+xml``; ``name`` comes from the URL table, never the client."""
    _, days, weeks = _period(request)
    if name == "intake":
        svg = charts.render(
            metrics.intake_per_day(viewer=request.user, days=days),
            kind="bar",
            title=f"Reports received per day (last {days} days, UTC)",
            y_title="reports",
        )
    elif name == "duplicates":
        svg = charts.render(
            metrics.duplicate_rate_per_week(viewer=request.user, weeks=weeks),
            kind="bar",
            title="Share of reports that were duplicates, per week",
            y_title="% of reports",
        )
    else:
        svg = charts.render(
            metrics.time_to_milestones(viewer=request.user, weeks=weeks),
            kind="line",
            title="Median days from opening to acknowledge, fix, disclose",
            y_title="days",
        )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_CSP
    response["Cache-Control"] = "private, no-store"  # aggregates over embargoed cases
    return response
