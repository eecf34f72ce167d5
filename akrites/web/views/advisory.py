"""The advisory desk: start the draft, edit it, publish it (the SIRT, after a fresh code).

Post-redirect-get throughout. A form re-sent by a double click or the Back button carries a
spent once-token and gets the first outcome again; the disclosure service refuses a second
publication anyway (the draft row is locked and must still be a draft). Publishing is a
step-up action: without a recent code the service raises ``StepUpRequired``, which the
accounts middleware turns into the code page, returning here afterwards.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from akrites.core.errors import Conflict, InvalidInput
from akrites.disclosure.cna import CnaError
from akrites.disclosure.services import advisory_create, advisory_publish, advisory_update
from akrites.web import advisory_form as form
from akrites.web.advisory_desk import advisory_desk
from akrites.web.once import once_outcome, once_spend, once_token


def _page(
    request: HttpRequest,
    case_id: str,
    *,
    values: dict[str, object] | None = None,
    error: tuple[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    desk = advisory_desk(viewer=request.user, human_id=case_id)
    if values is None and desk.content:
        values = form.values_from_content(desk.content)
    shown = form.with_blank_row(values) if values else None
    context = {
        "desk": desk,
        "case": desk.case,
        "values": shown,
        "rows": form.rows_for_display(shown, error) if shown else [],
        "error": error,
        "once_save": once_token(),
        "once_publish": once_token(),
    }
    response = render(request, "web/advisory.html", context, status=status)
    response["Cache-Control"] = "private, no-store"  # an embargoed draft
    return response


@login_required
@require_GET
def advisory_page(request: HttpRequest, case_id: str) -> HttpResponse:
    return _page(request, case_id)


@login_required
@require_POST
def advisory_start(request: HttpRequest, case_id: str) -> HttpResponse:
    desk = advisory_desk(viewer=request.user, human_id=case_id)
    if desk.advisory is None:  # a replay after the draft exists just shows it
        try:
            advisory_create(actor=request.user, case=desk.case)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Draft started from the case's reports.")
    return redirect("web:advisory", case_id=desk.case.human_id)


@login_required
@require_POST
def advisory_save(request: HttpRequest, case_id: str) -> HttpResponse:
    desk = advisory_desk(viewer=request.user, human_id=case_id)
    target = reverse("web:advisory", args=[desk.case.human_id])
    if once_outcome(request, "advisory-save") or desk.advisory is None:
        return redirect(target)
    values = form.values_from_post(request.POST)
    try:
        changes = form.changes_from_values(values, json.loads(desk.advisory.content))
        advisory_update(actor=request.user, advisory=desk.advisory, changes=changes)
    except InvalidInput as exc:
        error = (form.field_for(exc.field, values), exc.message)
        return _page(request, case_id, values=values, error=error, status=422)
    except Conflict as exc:
        return _page(request, case_id, values=values, error=("form", exc.message), status=409)
    once_spend(request, "advisory-save", target)
    messages.success(request, "Draft saved.")
    return redirect(target)


@login_required
@require_POST
def advisory_publish_view(request: HttpRequest, case_id: str) -> HttpResponse:
    desk = advisory_desk(viewer=request.user, human_id=case_id)
    done = once_outcome(request, "advisory-publish")
    if done:
        return redirect(done)
    if desk.public is not None:  # published meanwhile (a replay, or the worker when due)
        messages.info(request, f"Already published as {desk.public.public_id}.")
        return redirect("disclosure:detail", public_id=desk.public.public_id)
    if request.POST.get("confirm") != "yes":
        error = ("confirm", "Tick the box to confirm that the draft is ready to publish.")
        return _page(request, case_id, error=error, status=422)
    try:
        public = advisory_publish(actor=request.user, case=desk.case)
    except InvalidInput as exc:
        error = (form.field_for(exc.field, {"affected": []}), exc.message)
        return _page(request, case_id, error=error, status=422)
    except (Conflict, CnaError) as exc:
        return _page(request, case_id, error=("confirm", exc.message), status=409)
    url = reverse("disclosure:detail", args=[public.public_id])
    once_spend(request, "advisory-publish", url)
    messages.success(request, f"Published as {public.public_id}.")
    return redirect(url)
