"""API authentication: the browser session (with CSRF on writes)."""

from __future__ import annotations

from ninja.security import SessionAuth

session_auth = SessionAuth(csrf=True)
