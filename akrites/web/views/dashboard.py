"""The SIRT dashboard: queue summary, clock breaches, and charts over time (SVG images)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from akrites.web import charts, metrics

# The period picker's choices: days of daily intake, and the weeks the weekly charts span.
PERIODS = {"30": (30, 8), "90": (90, 13), "365": (365, 52)}
DEFAULT_PERIOD = "90"
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
    context = {
        "summary": metrics.dashboard_summary(viewer=request.user),
        "intake": metrics.intake_per_day(viewer=request.user, days=days),
        "duplicates": metrics.duplicate_rate_per_week(viewer=request.user, weeks=weeks),
        "delays": metrics.time_to_milestones(viewer=request.user, weeks=weeks),
        "period": key,
        "periods": [("30", "30 days"), ("90", "90 days"), ("365", "One year")],
    }
    return render(request, "web/dashboard.html", context)


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
