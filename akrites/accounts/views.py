"""Account pages: second factor (enrol / verify), step-up, ending sessions, lockout page."""

from __future__ import annotations

from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from akrites.accounts import addresses, mfa
from akrites.accounts.actors import user_of
from akrites.accounts.middleware import mark_verified
from akrites.core.errors import InvalidInput, NotFound


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    # The site's message page (its template is the faces' layer's; no import needed).
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=False):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def mfa_page(request: HttpRequest) -> HttpResponse:
    """Verify a code (a confirmed device exists) or enrol a device (shown once per secret)."""
    device = mfa.confirmed_device(request.user)
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        if device is not None:
            accepted = mfa.mfa_check(actor=request.user, code=code)
            if accepted is not None:
                _verified(request, accepted)
                return redirect(_next(request))
            error = "That code did not match."
        else:
            try:
                confirmed = mfa.mfa_enrol_confirm(actor=request.user, code=code)
            except InvalidInput as exc:
                error = exc.message
            else:
                _verified(request, confirmed)
                return redirect(_next(request))
    context: dict[str, Any] = {"error": error, "next": _next(request), "enrol": device is None}
    if device is None:
        pending = mfa.mfa_enrol_start(actor=request.user)
        context.update(secret=mfa.secret_base32(pending), uri=pending.config_url)
    response = render(request, "accounts/mfa.html", context, status=422 if error else 200)
    response["Cache-Control"] = "no-store"  # the enrolment page shows a secret
    return response


def _verified(request: HttpRequest, device: Any) -> None:
    """The second factor passed: a new session id (the one from before the code, perhaps
    seen or planted, is worth nothing now), the device recorded, the step-up clock started."""
    request.session.cycle_key()
    django_otp.login(request, device)
    mark_verified(request)


@login_required
@require_http_methods(["GET", "POST"])
def step_up(request: HttpRequest) -> HttpResponse:
    """Re-enter a code before a sensitive action (valid AKRITES_STEP_UP_SECONDS)."""
    error = ""
    if request.method == "POST":
        if mfa.mfa_check(actor=request.user, code=request.POST.get("code", "")) is not None:
            mark_verified(request)
            return redirect(_next(request))
        error = "That code did not match."
    context = {"error": error, "next": _next(request)}
    return render(request, "accounts/step_up.html", context, status=422 if error else 200)


@login_required
@require_POST
def kill_sessions(request: HttpRequest, user_id: int) -> HttpResponse:
    """End every session of a user and revoke their API tokens (themself, or anyone for the
    SIRT lead)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    revoked = mfa.sessions_kill(actor=request.user, user=user)
    message = f"Every session of that account has ended; {revoked} API token(s) revoked."
    return _page(request, 200, "Sessions ended", message)


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes lockout: the same page whether or not the username exists."""
    return _page(request, 429, "Too many attempts", "Too many failed sign-ins. Try again later.")


@login_required
@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links must not confirm); POST confirms
    the signed-in account's current address, or says the link is not valid (422)."""
    error = ""
    if request.method == "POST":
        try:
            user = addresses.email_confirm(actor=request.user, token=token)
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, f"{user.email} is confirmed: notifications will go there.")
            return redirect("notifications:preferences")
    context = {"error": error, "address": user_of(request.user).email}
    return render(request, "accounts/email_confirm.html", context, status=422 if error else 200)
