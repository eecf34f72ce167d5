"""API authentication: bearer API tokens, or the browser session (with CSRF on writes).

A token-authenticated request carries the token's scopes on the user object, where
``access.policy`` reads them; the policy, not the endpoint, decides what a scope allows.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from akrites.accounts.tokens import token_authenticate


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_authenticate(token)
        if found is None:
            return None
        user, scopes = found
        user._akrites_token_scopes = scopes  # type: ignore[attr-defined]  # read by access.policy
        request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """The session cookie, with CSRF on writes — but never for a request that presented an
    ``Authorization`` header: a bad token must answer 401, not fall back to the cookie."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if "authorization" in request.headers:
            return None
        return super()._get_key(request)


token_auth = TokenAuth()
session_auth = BrowserSessionAuth(csrf=True)
AUTH = [token_auth, session_auth]
