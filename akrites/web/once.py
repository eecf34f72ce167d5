"""Once-tokens for HTML forms whose replay must not act twice.

A form carries a random token; the first POST that completes records (token → outcome) in
the session, and a later POST with the same token (a double click, a back-button replay)
gets that outcome back instead of acting again. The same idea as the intake form's nonce;
the domain still refuses what the state no longer allows, this spares the user the error.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest

_KEY = "akrites_once"
# Enough for the forms one person has open at a time; the oldest are forgotten first.
_KEEP = 50


def once_token() -> str:
    return secrets.token_urlsafe(16)


def once_outcome(request: HttpRequest, scope: str) -> str | None:
    """The outcome recorded for the POST's ``once`` token in ``scope``, if it was spent."""
    token = request.POST.get("once", "")
    done: dict[str, str] = request.session.get(_KEY, {})
    return done.get(f"{scope}:{token}") if token else None


def once_spend(request: HttpRequest, scope: str, outcome: str) -> None:
    """Record that the POST's token in ``scope`` produced ``outcome`` (a URL or message)."""
    token = request.POST.get("once", "")
    if not token:
        return
    done: dict[str, str] = request.session.get(_KEY, {})
    done[f"{scope}:{token}"] = outcome
    request.session[_KEY] = dict(list(done.items())[-_KEEP:])
