"""The cast's home pages: SIRT queue, maintainer inbox, reporter's reports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from akrites.access.policy import is_sirt, require
from akrites.cases.models import Status
from akrites.cases.selectors import case_list
from akrites.confidentiality.selectors import awaiting_terms
from akrites.intake.selectors import report_list_own
from akrites.web.inbox import inbox_rows

PAGE = 50  # rows per list on the home pages


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if is_sirt(request.user):
        return redirect("web:dashboard")
    return redirect("web:inbox")


@login_required
def sirt_queue(request: HttpRequest) -> HttpResponse:
    require(request.user, "queue.view")
    q = request.GET.get("q", "").strip()[:200]
    others = [s for s in Status.values if s != Status.TRIAGE]
    context = {
        "q": q,
        "triage": case_list(viewer=request.user, status=Status.TRIAGE, q=q, limit=PAGE),
        "open_cases": case_list(viewer=request.user, statuses=others, q=q, limit=PAGE),
    }
    return render(request, "web/sirt_queue.html", context)


@login_required
def maintainer_inbox(request: HttpRequest) -> HttpResponse:
    require(request.user, "inbox.view")
    show = "all" if request.GET.get("show") == "all" else "open"
    rows = inbox_rows(viewer=request.user, open_only=show == "open")
    told = awaiting_terms(viewer=request.user)
    return render(request, "web/inbox.html", {"rows": rows, "show": show, "told": told})


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    require(request.user, "inbox.view")
    before = request.GET.get("before") or None
    reports = report_list_own(viewer=request.user, limit=PAGE, before=before)
    older = reports[-1].public_id if len(reports) == PAGE else None
    return render(
        request, "web/my_reports.html", {"reports": reports, "older": older, "paged": before}
    )
