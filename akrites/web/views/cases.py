"""The case room (server-rendered) and its transition form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from akrites.access.policy import allowed
from akrites.cases import selectors, services
from akrites.cases.models import Case
from akrites.core.errors import Conflict, InvalidInput, NotFound
from akrites.notifications.reach import project_maintainers, reach
from akrites.notifications.rules import MAINTAINER
from akrites.web.caseroom import room_get

NO_MAINTAINERS = (
    "Nobody to tell: this project has no maintainers. Escalate via the ladder: apply "
    "escalate, then enter stewardship on the Remediation page (the SIRT as maintainer of "
    "last resort)."
)
NOBODY_REACHABLE = (
    "No maintainer has a verified e-mail address: reach them another way, or escalate via "
    "the ladder."
)


def _room(request: HttpRequest, case_id: str, error: tuple[str, str] | None = None) -> HttpResponse:
    room = room_get(viewer=request.user, human_id=case_id)
    context = {"room": room, "view": room.view, "case": room.case, "error": error, **room.panel}
    # Those who coordinate see when "notify maintainers" tells (or told) nobody.
    context["no_maintainers"] = (
        allowed(request.user, "case.coordinate", room.case) and project_maintainers(room.case) == 0
    )
    # A refused action answers 409 (state moved on) or 422 (a value), with the form again.
    status = 200 if error is None else (409 if error[0] == "name" else 422)
    return render(request, "web/case_detail.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    return _room(request, case_id)


@login_required
@require_http_methods(["GET", "POST"])
def case_transition(request: HttpRequest, case_id: str) -> HttpResponse:
    """Apply one transition; on error, the room again with the message next to its field."""
    case = selectors.case_get(viewer=request.user, human_id=case_id)
    if request.method == "GET":  # after signing in again mid-form (login's ?next=)
        return redirect("web:case-detail", case_id=case.human_id)
    try:
        original = None
        if request.POST.get("duplicate_of"):
            original = selectors.case_get(
                viewer=request.user, human_id=request.POST["duplicate_of"].strip()
            )
        services.case_transition(
            actor=request.user,
            case=case,
            name=request.POST.get("name", ""),
            reason=request.POST.get("reason", ""),
            duplicate_of=original,
        )
    except NotFound:
        return _room(request, case_id, ("duplicate_of", "No case with that id that you can see."))
    except InvalidInput as exc:
        field = exc.field if exc.field in {"reason", "duplicate_of"} else "name"
        return _room(request, case_id, (field, exc.message))
    except Conflict as exc:
        return _room(request, case_id, ("name", exc.message))
    _report_reach(request, case, request.POST.get("name", ""))
    return redirect("web:case-detail", case_id=case.human_id)


def _report_reach(request: HttpRequest, case: Case, name: str) -> None:
    """Say who will really hear of it — never "notified" when nobody will be."""
    fresh = selectors.case_get(viewer=request.user, human_id=case.human_id)
    told = reach(case=fresh, kind=f"case.{name}", actor=request.user)
    if name == "notify_maintainers" and told.project_maintainers == 0:
        messages.warning(request, NO_MAINTAINERS)
    elif name == "notify_maintainers" and told.told.get(MAINTAINER, 0) == 0:
        messages.warning(request, f"Applied: {name}. {told.sentence()} {NOBODY_REACHABLE}")
    elif told.total == 0:
        messages.warning(request, f"Applied: {name}. {told.sentence()}")
    else:
        messages.success(request, f"Applied: {name}. {told.sentence()}")
