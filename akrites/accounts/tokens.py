"""API tokens: issue (shown once), authenticate, revoke."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from akrites.access.policy import require
from akrites.accounts.models import ApiToken, TokenScope, User
from akrites.core.actors import Actor

__all__ = ["ApiToken", "IssuedToken", "token_authenticate", "token_issue", "token_revoke"]
from akrites.audit.services import audit_append
from akrites.core.clock import now
from akrites.core.errors import InvalidInput, NotFound

# Writing last_used_at on every request would make every read a write; a minute is enough
# for "when was this token last used".
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole bearer string; shown once, never stored


@transaction.atomic
def token_issue(
    *, actor: Actor, user: User, name: str, scopes: list[str], expires_at: datetime | None = None
) -> IssuedToken:
    """Issue a token for ``user`` (the actor themself, or by the SIRT / operator)."""
    require(actor, "token.issue", user)
    unknown = set(scopes) - set(TokenScope.values)
    if not scopes or unknown:
        raise InvalidInput("scopes", f"one or more of {', '.join(TokenScope.values)}")
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("name", "1 to 100 characters")
    prefix = secrets.token_hex(6)
    secret = f"akr_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=_digest(secret),
        scopes=sorted(set(scopes)),
        created_at=now(),
        expires_at=expires_at,
    )
    audit_append(
        actor=actor,
        action="token.issue",
        object_type="token",
        object_id=prefix,
        data={"user_id": user.pk, "scopes": token.scopes},
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> None:
    require(actor, "token.issue", token.user)
    if token.revoked_at is not None:
        return
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=now())
    audit_append(actor=actor, action="token.revoke", object_type="token", object_id=token.prefix)


def token_authenticate(bearer: str) -> tuple[User, frozenset[str]] | None:
    """The active user and scopes for a bearer string, or None (same for every failure)."""
    parts = bearer.split("_")
    if len(parts) < 3 or parts[0] != "akr" or len(bearer) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(bearer)):
        return None
    at = now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= at):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or at - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
    return token.user, frozenset(token.scopes)


def token_list(*, viewer: Actor, user: User) -> list[ApiToken]:
    if viewer != user:
        require(viewer, "token.issue", user)
    return list(ApiToken.objects.filter(user=user).order_by("-created_at"))


def token_get(*, viewer: Actor, prefix: str) -> ApiToken:
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or (token.user != viewer and not _may_manage(viewer, token.user)):
        raise NotFound()
    return token


def _may_manage(viewer: Actor, user: User) -> bool:
    from akrites.access.policy import allowed

    return allowed(viewer, "token.issue", user)
