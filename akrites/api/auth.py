"""API authentication: bearer API tokens, or the browser session (with CSRF on writes).

Neither class decides anything from headers: ``accounts.middleware`` has already
authenticated the request once and recorded how (``request.akrites_auth``) — a request with
an ``Authorization`` header is a token request whose token was valid, or it was refused with
401 before reaching the API. These classes read that decision, so an operation is open to a
session only when no header came with it, and CSRF is checked for every session write.

A token-authenticated request carries the token's scopes on the user object, where
``access.policy`` reads them; the policy, not the endpoint, decides what a scope allows.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth
from ninja.security.base import AuthBase

from akrites.accounts.middleware import SESSION, TOKEN


def _how(request: HttpRequest) -> str | None:
    return getattr(request, "akrites_auth", None)


class TokenAuth(AuthBase):
    """``Authorization: Bearer akr_…`` (documented as an HTTP bearer scheme)."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any:
        return request.user if _how(request) == TOKEN else None


class BrowserSessionAuth(SessionAuth):
    """The session cookie, with CSRF on writes — only for a request the middleware accepted
    as a session request (no ``Authorization`` header, MFA passed, session not expired)."""

    def __call__(self, request: HttpRequest) -> Any:
        if _how(request) != SESSION or "authorization" in request.headers:
            return None
        return super().__call__(request)


token_auth = TokenAuth()
session_auth = BrowserSessionAuth(csrf=True)
AUTH = [token_auth, session_auth]
