"""Reply addresses: ``<local>+<token>@<domain>`` of the platform's mail domain.

``reply_address_issue`` is called when a mail about a message is composed (notifications);
``reply_token_resolve`` when a mail to such an address arrives (``akrites.mail``). The token
is 24 random bytes (base32, lower case: mail systems may fold the case of a local part) and
only its HMAC-SHA-256 under the platform secret is stored.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.crypto import salted_hmac

from akrites.cases.models import Case
from akrites.conversation.models import Message, ReplyToken
from akrites.core.clock import now

VALID_DAYS = 60
TOKEN_RE = re.compile(r"^[a-z2-7]{39}$")


def _digest(token: str) -> str:
    return salted_hmac("akrites.conversation.reply", token, algorithm="sha256").hexdigest()


def reply_domain() -> str:
    return settings.AKRITES_SECURITY_EMAIL.rsplit("@", 1)[-1]


def reply_local() -> str:
    return settings.AKRITES_SECURITY_EMAIL.rsplit("@", 1)[0]


def reply_address_issue(*, user_id: int, address: str, case: Case, message: Message) -> str:
    """A new reply address for one recipient of a mail about ``message`` (no policy check:
    the caller is composing a delivery the policy already let through)."""
    token = base64.b32encode(secrets.token_bytes(24)).decode().rstrip("=").lower()
    at = now()
    ReplyToken.objects.create(
        digest=_digest(token),
        user_id=user_id,
        case=case,
        audience=message.audience,
        message=message,
        address=address,
        created_at=at,
        expires_at=at + timedelta(days=VALID_DAYS),
    )
    return f"{reply_local()}+{token}@{reply_domain()}"


def is_ours(address: str) -> bool:
    """An address of the platform's mailbox: ``security@`` or one of its ``+`` addresses."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    return (
        domain.lower() == reply_domain().lower()
        and local.partition("+")[0].lower() == reply_local().lower()
    )


def message_id_for(human_id: str, number: int) -> str:
    """The Message-ID of a mail about message ``number`` of case ``human_id``; a reply's
    ``In-Reply-To`` names it (``answered_number``)."""
    return f"<akrites.{human_id}.{number}.{secrets.token_hex(6)}@{reply_domain()}>"


_OUR_ID = re.compile(r"^<akrites\.(?P<case>[A-Za-z0-9-]+)\.(?P<number>\d+)\.[0-9a-f]+@")


def answered_number(in_reply_to: str, human_id: str) -> int | None:
    """The message number an ``In-Reply-To`` of ours names, if it is on case ``human_id``."""
    match = _OUR_ID.match(in_reply_to.strip())
    if match and match.group("case") == human_id:
        return int(match.group("number"))
    return None


def token_of(address: str) -> str | None:
    """The token of a reply address of this platform, or None (not one of ours)."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    if domain.lower() != reply_domain().lower() or "+" not in local:
        return None
    base, _, token = local.partition("+")
    if base.lower() != reply_local().lower():
        return None
    token = token.lower()
    return token if TOKEN_RE.match(token) else None


@dataclass(frozen=True)
class Resolved:
    token: ReplyToken | None
    refusal: str = ""  # why the reply is refused: unknown, expired, revoked, wrong_sender


def reply_token_resolve(*, token: str, sender: str) -> Resolved:
    """The token's record if it may be used by ``sender`` now, else the reason it may not."""
    row = (
        ReplyToken.objects.select_related("user", "case", "message")
        .filter(digest=_digest(token))
        .first()
    )
    if row is None:
        return Resolved(None, "unknown")
    if row.revoked_at is not None:
        return Resolved(row, "revoked")
    if row.expires_at <= now():
        return Resolved(row, "expired")
    if sender.strip().lower() != row.address.strip().lower():
        return Resolved(row, "wrong_sender")
    return Resolved(row)
