"""A user's e-mail address: set it (unverified), confirm it through a mailed link.

Notifications go only to a verified address (``User.has_verified_email``). Setting an address
stores it unverified and mails a link to it; the link carries a random token (256 bits) and
works once, until ``AKRITES_EMAIL_CONFIRM_HOURS``, for the signed-in account it was made for
and for the address it was sent to. Only a keyed digest (HMAC with the secret key) of the
account, the address and the token is stored. Every change, confirmation and refused
confirmation is audited; the audit names the address, never the token.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils.crypto import salted_hmac

from akrites.access.policy import require
from akrites.accounts.actors import user_of
from akrites.accounts.models import EmailConfirmation, User
from akrites.audit.services import audit_append
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import InvalidInput
from akrites.core.mail import send_now

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
REFUSED = (
    "This confirmation link is not valid: it was used, has expired, or was sent for another "
    "account or address."
)


def normalise(address: str) -> str:
    """The address as stored: trimmed, domain lower-cased; ``InvalidInput("email")`` if bad."""
    address = address.strip()
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidInput("email", "Enter a valid e-mail address.") from None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def _digest(user: User, address: str, token: str) -> str:
    return salted_hmac(
        "akrites.accounts.addresses", f"{user.pk}:{address.casefold()}:{token}", algorithm="sha256"
    ).hexdigest()


def confirm_url(token: str) -> str:
    return f"{settings.AKRITES_BASE_URL}/account/email/confirm/{token}/"


@transaction.atomic
def email_set(*, actor: Actor, address: str) -> User:
    """Set the actor's own address. A new address is stored unverified and a confirmation
    link is mailed to it once the transaction commits; every pending link is superseded.
    The same address again, still unverified, sends a fresh link. Clearing is allowed.
    """
    user = user_of(actor)
    require(actor, "account.email_set", user)
    address = normalise(address)
    user = User.objects.select_for_update().get(pk=user.pk)
    previous = user.email
    if address.casefold() == previous.casefold() and (not address or user.has_verified_email):
        return user
    t = now()
    user.email_confirmations.filter(used_at__isnull=True).update(used_at=t)
    user.email = address
    user.save(update_fields=["email"])
    audit_append(
        actor=actor,
        action="account.email_set",
        object_type="user",
        object_id=str(user.pk),
        data={"address": address, "previous": previous},
    )
    if address:
        token = secrets.token_urlsafe(32)
        EmailConfirmation.objects.create(
            user=user,
            address=address,
            digest=_digest(user, address, token),
            created_at=t,
            expires_at=t + timedelta(hours=settings.AKRITES_EMAIL_CONFIRM_HOURS),
        )
        transaction.on_commit(lambda: _send_link(user, address, token))
    return user


def email_confirm(*, actor: Actor, token: str) -> User:
    """Confirm the actor's current address with the token of a mailed link.

    Refused (``InvalidInput("token", REFUSED)``, audited as ``account.email_confirm_refused``)
    when the token is malformed, unknown for this account and its current address, used,
    superseded or expired — one message for all, so a refusal tells nothing about others.
    """
    user = user_of(actor)
    require(actor, "account.email_confirm", user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        t = now()
        found = None
        if _TOKEN.fullmatch(token or "") and user.email:
            found = (
                EmailConfirmation.objects.select_for_update()
                .filter(user=user, digest=_digest(user, user.email, token), used_at__isnull=True)
                .filter(expires_at__gt=t)
                .first()
            )
        if found is not None and found.address.casefold() == user.email.casefold():
            # This link is spent (and any other pending one, though ``email_set`` leaves one).
            user.email_confirmations.filter(used_at__isnull=True).update(used_at=t)
            user.email_verified, user.email_verified_at = user.email, t
            user.save(update_fields=["email_verified", "email_verified_at"])
            audit_append(
                actor=actor,
                action="account.email_confirm",
                object_type="user",
                object_id=str(user.pk),
                data={"address": user.email},
            )
            return user
    with transaction.atomic():
        audit_append(
            actor=actor,
            action="account.email_confirm_refused",
            object_type="user",
            object_id=str(user.pk),
        )
    raise InvalidInput("token", REFUSED)


@transaction.atomic
def email_mark_verified(*, actor: Actor, user: User, address: str) -> User:
    """The operator sets and verifies ``user``'s address without a link (demo data, imports
    of addresses already confirmed elsewhere). Only a system actor passes the rule."""
    require(actor, "account.email_verify", user)
    address = normalise(address)
    user = User.objects.select_for_update().get(pk=user.pk)
    user.email_confirmations.filter(used_at__isnull=True).update(used_at=now())
    user.email = user.email_verified = address
    user.email_verified_at = now() if address else None
    user.save(update_fields=["email", "email_verified", "email_verified_at"])
    audit_append(
        actor=actor,
        action="account.email_verify",
        object_type="user",
        object_id=str(user.pk),
        data={"address": address},
    )
    return user


def _send_link(user: User, address: str, token: str) -> None:
    """Mail the link (after commit). A failure is logged by id; the user can ask again."""
    body = (
        f"Someone (hopefully you) set this address for the Akrites account "
        f"{user.get_username()}.\n\nTo confirm it, sign in and open:\n{confirm_url(token)}\n\n"
        f"The link works once, for {settings.AKRITES_EMAIL_CONFIRM_HOURS} hours. If this was "
        "not you, ignore this message: nothing will be sent here.\n"
    )
    message = EmailMessage(
        subject="[Akrites] Confirm your e-mail address",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        send_now(message)
    except Exception as exc:
        logger.warning("confirmation mail for user %s not sent: %s", user.pk, type(exc).__name__)
