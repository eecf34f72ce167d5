"""The case room (server-rendered) and its transition form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from akrites.cases import selectors, services
from akrites.core.errors import Conflict, InvalidInput


@login_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    view = selectors.case_room(viewer=request.user, human_id=case_id)
    return render(request, "web/case_detail.html", {"view": view, "case": view.case})


@login_required
@require_POST
def case_transition(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_get(viewer=request.user, human_id=case_id)
    original = None
    if request.POST.get("duplicate_of"):
        original = selectors.case_get(viewer=request.user, human_id=request.POST["duplicate_of"])
    try:
        services.case_transition(
            actor=request.user,
            case=case,
            name=request.POST.get("name", ""),
            reason=request.POST.get("reason", ""),
            duplicate_of=original,
        )
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)
    return redirect("web:case-detail", case_id=case.human_id)
