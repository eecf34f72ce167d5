"""Session security: idle and absolute timeouts, the MFA gate, step-up state.

``AccountSecurityMiddleware`` runs after Django's and django-otp's authentication:

- a session idle longer than ``AKRITES_SESSION_IDLE_SECONDS`` or older than
  ``SESSION_COOKIE_AGE`` (from sign-in) is ended;
- SIRT members and maintainers (and anyone with a confirmed device) must verify a TOTP code
  before any page other than the MFA page itself;
- the user object is marked interactive with the time of the last verified code, which
  ``access.policy.require`` reads for step-up actions.

How a request is authenticated is decided here, once, from what actually authenticated it
(``request.akrites_auth``): a request that carries an ``Authorization`` header is a token
request and nothing else — the header must be ``Bearer <a valid API token>`` on ``/api/``,
the session cookie it may also carry is ignored, and anything else is refused with 401. A
request without the header is a session request, with every check above. The API's
authentication classes (``akrites.api.auth``) only read that decision.

``StepUpMiddleware`` turns ``StepUpRequired`` in an HTML view into a redirect to the code page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from akrites.access.policy import StepUpRequired, needs_mfa
from akrites.accounts.mfa import has_device
from akrites.accounts.tokens import token_authenticate
from akrites.core.clock import now

AUTH_AT = "akrites_auth_at"
SEEN_AT = "akrites_seen_at"
STEP_UP_AT = "akrites_step_up_at"
# Refresh the idle marker at most this often, so a page view is not always a session write.
_SEEN_RESOLUTION = 30.0
_EXEMPT = ("/account/mfa/", "/logout/", "/login/", "/static/")
# ``request.akrites_auth``: what authenticated the request (absent: nothing did).
TOKEN = "token"  # noqa: S105 - a name for how a request authenticated, not a secret
SESSION = "session"


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _with_next(url: str, request: HttpRequest, target: str | None = None) -> str:
    return f"{url}?{urlencode({'next': target or request.path})}"


def mark_verified(request: HttpRequest) -> None:
    """A code was just verified: it counts as a step-up for the next few minutes."""
    request.session[STEP_UP_AT] = now().timestamp()


def restart_session_clock(request: HttpRequest) -> None:
    """At sign-in: timeouts count from now, and an earlier step-up no longer counts."""
    t = now().timestamp()
    request.session[AUTH_AT] = request.session[SEEN_AT] = t
    request.session.pop(STEP_UP_AT, None)


class AccountSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("authorization")
        if header is not None:
            refused = _authenticate_token(request, header)
            return refused or self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if self._expired(request):
            logout(request)
            if _api(request):
                return _json("unauthenticated", "Your session has ended.", 401)
            return HttpResponseRedirect(_with_next(reverse(settings.LOGIN_URL), request))
        if settings.AKRITES_MFA_REQUIRED:
            at = request.session.get(STEP_UP_AT)
            user._akrites_interactive = True
            user._akrites_step_up_at = datetime.fromtimestamp(at, UTC) if at else None
            gate = not user.is_verified() and (needs_mfa(user) or has_device(user))
            if gate and not request.path.startswith(_EXEMPT):
                if _api(request):
                    return _json("mfa_required", "Verify your second factor first.", 401)
                return HttpResponseRedirect(_with_next(reverse("accounts:mfa"), request))
        request.akrites_auth = SESSION  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def _expired(request: HttpRequest) -> bool:
        t = now().timestamp()
        session = request.session
        auth_at, seen_at = session.get(AUTH_AT), session.get(SEEN_AT)
        if auth_at is None:
            session[AUTH_AT] = session[SEEN_AT] = t
            return False
        idle = t - float(seen_at or auth_at) > settings.AKRITES_SESSION_IDLE_SECONDS
        if idle or t - float(auth_at) > settings.SESSION_COOKIE_AGE:
            return True
        if t - float(seen_at or 0) > _SEEN_RESOLUTION:
            session[SEEN_AT] = t
        return False


def _authenticate_token(request: HttpRequest, header: str) -> HttpResponse | None:
    """Make ``request`` a token request, or answer 401 (None: it is one now).

    The session cookie the request may also carry is never consulted: ``request.user`` is
    replaced before anything reads it, whatever the token says.
    """
    request.user = AnonymousUser()
    if not _api(request):
        return _refuse("API tokens are accepted at /api/ only; pages use the sign-in session.")
    scheme, _, credentials = header.strip().partition(" ")
    found = token_authenticate(credentials.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        return _refuse("The Authorization header does not carry a valid API token.")
    user, scopes = found
    user._akrites_token_scopes = scopes  # read by access.policy
    request.user = user
    request.akrites_auth = TOKEN  # type: ignore[attr-defined]
    return None


def _refuse(message: str) -> HttpResponse:
    response = _json("unauthenticated", message, 401)
    response["WWW-Authenticate"] = 'Bearer realm="akrites"'
    return response


class StepUpMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, StepUpRequired) or _api(request):
            return None
        target = request.path if request.method == "GET" else _back(request)
        return HttpResponseRedirect(_with_next(reverse("accounts:step-up"), request, target))


def _back(request: HttpRequest) -> str:
    """Where a refused POST came from (same site only), to return to after the code."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}):
        return urlsplit(referer).path or "/"
    return "/"
