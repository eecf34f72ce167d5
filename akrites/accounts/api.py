"""API tokens for the signed-in user: issue (shown once), list, revoke."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from akrites.accounts import tokens

router = Router(tags=["tokens"])


class TokenIn(Schema):
    name: str
    scopes: list[str]
    expires_at: datetime | None = None


class TokenOut(Schema):
    prefix: str
    name: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class IssuedOut(TokenOut):
    token: str


def _out(t: tokens.ApiToken) -> dict[str, object]:
    return {
        "prefix": t.prefix,
        "name": t.name,
        "scopes": t.scopes,
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
    }


@router.post("", response={201: IssuedOut})
def issue(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    issued = tokens.token_issue(
        actor=request.user,
        user=request.user,  # type: ignore[arg-type]  # auth guarantees a User
        name=payload.name,
        scopes=payload.scopes,
        expires_at=payload.expires_at,
    )
    return Status(201, {**_out(issued.token), "token": issued.secret})


@router.get("", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[dict[str, object]]:
    return [_out(t) for t in tokens.token_list(viewer=request.user, user=request.user)]  # type: ignore[arg-type]


@router.delete("/{prefix}", response={204: None})
def revoke(request: HttpRequest, prefix: str) -> Status[None]:
    token = tokens.token_get(viewer=request.user, prefix=prefix)
    tokens.token_revoke(actor=request.user, token=token)
    return Status(204, None)
