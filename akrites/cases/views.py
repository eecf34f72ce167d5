"""Triage pages: the SIRT queue with score breakdowns, a case's triage panel and its forms,
recorded breaches, and scanner profiles (public)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from akrites.cases.models import Case
from akrites.cases.selectors import case_get
from akrites.cases.triage import selectors, services
from akrites.cases.triage.priority import LOW_SIGNAL, WEIGHTS
from akrites.core.errors import Conflict, InvalidInput


@login_required
def triage_queue(request: HttpRequest) -> HttpResponse:
    rows = selectors.triage_queue(viewer=request.user, limit=200)
    return render(
        request,
        "cases/triage_queue.html",
        {"rows": rows, "weights": WEIGHTS, "low_signal": LOW_SIGNAL},
    )


@login_required
def triage_panel(request: HttpRequest, case_id: str) -> HttpResponse:
    panel = selectors.case_triage(viewer=request.user, human_id=case_id)
    return render(request, "cases/triage_panel.html", {"p": panel, "case": panel.case})


@login_required
def breaches(request: HttpRequest) -> HttpResponse:
    rows = selectors.breach_list(viewer=request.user)
    return render(request, "cases/breaches.html", {"breaches": rows})


def scanner_profile(request: HttpRequest, scanner: str) -> HttpResponse:
    profile = selectors.scanner_profile(viewer=request.user, username=scanner)
    return render(request, "cases/scanner_profile.html", {"p": profile})


def _act(
    request: HttpRequest, case_id: str, action: Callable[[Case], Any], back: str
) -> HttpResponse:
    # The case is looked up with the viewer first: an outsider gets 404 before any parsing.
    case = case_get(viewer=request.user, human_id=case_id)
    try:
        action(case)
    except (Conflict, InvalidInput) as exc:
        field = f"{exc.field}: " if isinstance(exc, InvalidInput) else ""
        messages.error(request, f"{field}{exc.message}")
    if back == "queue":
        return redirect("cases:triage-queue")
    return redirect("cases:triage-panel", case_id=case.human_id)


@login_required
@require_POST
def claim(request: HttpRequest, case_id: str) -> HttpResponse:
    back = request.POST.get("back", "")
    return _act(request, case_id, lambda c: services.case_claim(actor=request.user, case=c), back)


@login_required
@require_POST
def release(request: HttpRequest, case_id: str) -> HttpResponse:
    back = request.POST.get("back", "")
    return _act(request, case_id, lambda c: services.case_release(actor=request.user, case=c), back)


@login_required
@require_POST
def assess(request: HttpRequest, case_id: str) -> HttpResponse:
    post = request.POST
    return _act(
        request,
        case_id,
        lambda c: services.case_severity_assess(
            actor=request.user,
            case=c,
            vector=post.get("vector", ""),
            cwe=post.get("cwe", ""),
            reason=post.get("reason", ""),
        ),
        "",
    )


@login_required
@require_POST
def exploitation(request: HttpRequest, case_id: str) -> HttpResponse:
    post = request.POST
    return _act(
        request,
        case_id,
        lambda c: services.case_exploitation_set(
            actor=request.user,
            case=c,
            known_exploited=post.get("known_exploited") == "1",
            reason=post.get("reason", ""),
        ),
        "",
    )


@login_required
@require_POST
def cra_report(request: HttpRequest, case_id: str) -> HttpResponse:
    post = request.POST
    return _act(
        request,
        case_id,
        lambda c: services.case_cra_report_record(
            actor=request.user, case=c, report=post.get("report", ""), reason=post.get("reason", "")
        ),
        "",
    )


@login_required
@require_POST
def spam(request: HttpRequest, case_id: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        case_id,
        lambda c: services.case_reject_as_spam(actor=request.user, case=c, reason=reason),
        "",
    )
