"""The advisory desk: start the draft, edit it, approve it (the SIRT, after a fresh code) to go
out now or at the disclosure instant, take an approval back, and revise or withdraw what is
published (the SIRT, after a fresh code, with a reason).

Post-redirect-get throughout. A form re-sent by a double click or the Back button carries a
spent once-token and gets the first outcome again; the disclosure services refuse a second
approval or publication anyway (the advisory row is locked and must still be in the state
the transition starts from). Approving, revising and withdrawing are step-up actions: without
a recent code the service raises ``StepUpRequired``, which the accounts middleware turns into
the code page, returning here afterwards.
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
from akrites.disclosure.models import AdvisoryState
from akrites.disclosure.services import (
    advisory_approve,
    advisory_create,
    advisory_revise,
    advisory_update,
    advisory_withdraw,
    advisory_withdraw_approval,
)
from akrites.web import advisory_form as form
from akrites.web.advisory_desk import AdvisoryDesk, advisory_desk
from akrites.web.once import once_outcome, once_spend, once_token

_FORMS = ("save", "approve", "unapprove", "revise", "withdraw")


def _page(
    request: HttpRequest,
    case_id: str,
    *,
    values: dict[str, object] | None = None,
    error: tuple[str, str] | None = None,
    status: int = 200,
    reason_of: str = "",
) -> HttpResponse:
    """The desk page; after a refused form, its values (and ``reason_of``'s reason) as typed."""
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
        "reason_of": reason_of,
        "typed_reason": request.POST.get("reason", "") if reason_of else "",
        **{f"once_{name}": once_token() for name in _FORMS},
    }
    response = render(request, "web/advisory.html", context, status=status)
    response["Cache-Control"] = "private, no-store"  # an embargoed draft
    return response


def _done(request: HttpRequest, scope: str, url: str, message: str) -> HttpResponse:
    once_spend(request, scope, url)
    messages.success(request, message)
    return redirect(url)


def _desk_url(desk: AdvisoryDesk) -> str:
    return reverse("web:advisory", args=[desk.case.human_id])


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
    target = _desk_url(desk)
    if once_outcome(request, "advisory-save") or desk.advisory is None:
        return redirect(target)
    values = form.values_from_post(request.POST)
    try:
        changes = form.changes_from_values(values, json.loads(desk.advisory.content))
        saved = advisory_update(actor=request.user, advisory=desk.advisory, changes=changes)
    except InvalidInput as exc:
        error = (form.field_for(exc.field, values), exc.message)
        return _page(request, case_id, values=values, error=error, status=422)
    except Conflict as exc:
        return _page(request, case_id, values=values, error=("form", exc.message), status=409)
    voided = desk.is_approved and saved.state != desk.advisory.state
    note = " The approval is void: approve the new revision." if voided else ""
    return _done(request, "advisory-save", target, f"Draft saved.{note}")


@login_required
@require_POST
def advisory_approve_view(request: HttpRequest, case_id: str) -> HttpResponse:
    desk = advisory_desk(viewer=request.user, human_id=case_id)
    done = once_outcome(request, "advisory-approve")
    if done:
        return redirect(done)
    if desk.public is not None:  # published meanwhile (a replay, or the worker when due)
        messages.info(request, f"Already published as {desk.public.public_id}.")
        return redirect("disclosure:detail", public_id=desk.public.public_id)
    if desk.advisory is None:
        return redirect(_desk_url(desk))
    if request.POST.get("confirm") != "yes":
        error = ("confirm", "Tick the box to confirm that you reviewed this revision.")
        return _page(request, case_id, error=error, status=422)
    revision = request.POST.get("revision", "")
    try:
        approved = advisory_approve(
            actor=request.user,
            advisory=desk.advisory,
            revision=int(revision) if revision.isdigit() else None,
            release=request.POST.get("release", ""),
        )
    except InvalidInput as exc:
        field = exc.field
        if field not in ("release", "revision"):  # about the draft: next to its field
            field = form.field_for(exc.field, {"affected": []})
        return _page(request, case_id, error=(field, exc.message), status=422)
    except (Conflict, CnaError) as exc:
        return _page(request, case_id, error=("confirm", exc.message), status=409)
    public = advisory_desk(viewer=request.user, human_id=case_id).public
    if approved.state == AdvisoryState.PUBLISHED and public is not None:
        url = reverse("disclosure:detail", args=[public.public_id])
        return _done(request, "advisory-approve", url, f"Published as {public.public_id}.")
    message = f"Revision {approved.revision} approved: it goes out at the disclosure instant."
    return _done(request, "advisory-approve", _desk_url(desk), message)


@login_required
@require_POST
def advisory_withdraw_approval_view(request: HttpRequest, case_id: str) -> HttpResponse:
    desk = advisory_desk(viewer=request.user, human_id=case_id)
    target = _desk_url(desk)
    if once_outcome(request, "advisory-unapprove") or desk.advisory is None:
        return redirect(target)
    try:
        advisory_withdraw_approval(
            actor=request.user, advisory=desk.advisory, reason=request.POST.get("reason", "")
        )
    except InvalidInput as exc:
        error = ("unapprove-reason", exc.message)
        return _page(request, case_id, error=error, status=422, reason_of="unapprove")
    except Conflict as exc:
        error = ("unapprove-reason", exc.message)
        return _page(request, case_id, error=error, status=409, reason_of="unapprove")
    return _done(request, "advisory-unapprove", target, "Approval withdrawn: a draft again.")


@login_required
@require_POST
def advisory_revise_view(request: HttpRequest, case_id: str) -> HttpResponse:
    desk = advisory_desk(viewer=request.user, human_id=case_id)
    done = once_outcome(request, "advisory-revise")
    if done or desk.advisory is None:
        return redirect(done or _desk_url(desk))
    values = form.values_from_post(request.POST)
    try:
        changes = form.changes_from_values(values, json.loads(desk.advisory.content))
        public = advisory_revise(
            actor=request.user,
            advisory=desk.advisory,
            changes=changes,
            reason=request.POST.get("reason", ""),
        )
    except InvalidInput as exc:
        field = "revise-reason" if exc.field == "reason" else form.field_for(exc.field, values)
        error = (field, exc.message)
        return _page(request, case_id, values=values, error=error, status=422, reason_of="revise")
    except (Conflict, CnaError) as exc:
        error = ("form", exc.message)
        return _page(request, case_id, values=values, error=error, status=409, reason_of="revise")
    url = reverse("disclosure:detail", args=[public.public_id])
    return _done(request, "advisory-revise", url, f"Version {public.version} published.")


@login_required
@require_POST
def advisory_withdraw_view(request: HttpRequest, case_id: str) -> HttpResponse:
    desk = advisory_desk(viewer=request.user, human_id=case_id)
    done = once_outcome(request, "advisory-withdraw")
    if done or desk.advisory is None:
        return redirect(done or _desk_url(desk))
    if request.POST.get("confirm") != "yes":
        error = ("withdraw-confirm", "Tick the box to confirm the withdrawal.")
        return _page(request, case_id, error=error, status=422, reason_of="withdraw")
    try:
        public = advisory_withdraw(
            actor=request.user, advisory=desk.advisory, reason=request.POST.get("reason", "")
        )
    except InvalidInput as exc:
        error = ("withdraw-reason", exc.message)
        return _page(request, case_id, error=error, status=422, reason_of="withdraw")
    except (Conflict, CnaError) as exc:
        error = ("withdraw-confirm", exc.message)
        return _page(request, case_id, error=error, status=409, reason_of="withdraw")
    url = reverse("disclosure:detail", args=[public.public_id])
    return _done(request, "advisory-withdraw", url, f"{public.public_id} withdrawn.")
