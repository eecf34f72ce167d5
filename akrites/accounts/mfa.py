"""TOTP second factor (django-otp), step-up, and killing a user's sessions.

Only ``accounts`` touches ``TOTPDevice`` rows. A device is usable once confirmed with a first
code; codes are single-use (django-otp remembers the last time step) and throttled.
"""

from __future__ import annotations

import base64
from typing import Any

from django.db import transaction
from django.db.models import F
from django_otp.plugins.otp_totp.models import TOTPDevice

from akrites.access.policy import require
from akrites.accounts.models import User
from akrites.audit.services import audit_append
from akrites.core.errors import InvalidInput

DEVICE_NAME = "authenticator"


def confirmed_device(user: Any) -> TOTPDevice | None:
    found: TOTPDevice | None = (
        TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    )
    return found


def has_device(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it (RFC 4648 base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def mfa_enrol_start(*, actor: Any) -> TOTPDevice:
    """The actor's unconfirmed device (created once), to show its secret and otpauth URI."""
    require(actor, "mfa.manage")
    device: TOTPDevice | None = (
        TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("id").first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def mfa_enrol_confirm(*, actor: Any, code: str) -> TOTPDevice:
    """Confirm the pending device with a first code. Raises InvalidInput for a wrong code."""
    require(actor, "mfa.manage")
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("id").first()
    if device is None or not device.verify_token(code.strip()):
        raise InvalidInput("code", "that code did not match; check the time on your device")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_append(actor=actor, action="mfa.enrol", object_type="user", object_id=str(actor.pk))
    return device


def mfa_check(*, actor: Any, code: str) -> TOTPDevice | None:
    """The confirmed device that accepts ``code`` (single use, throttled), else None."""
    device = confirmed_device(actor)
    if device is None or not code.strip().isdigit():
        return None
    with transaction.atomic():
        return device if device.verify_token(code.strip()) else None


@transaction.atomic
def sessions_kill(*, actor: Any, user: User) -> None:
    """End every browser session of ``user`` at its next request (API tokens are separate).

    The session epoch is part of the session hash Django checks on every request.
    """
    require(actor, "session.kill", user)
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    audit_append(actor=actor, action="session.kill", object_type="user", object_id=str(user.pk))


@transaction.atomic
def mfa_reset(*, actor: Any, user: User, key_hex: str | None = None) -> TOTPDevice | None:
    """Remove ``user``'s devices (a lost phone); with ``key_hex``, install a confirmed device
    with that key instead (operator tooling and demo data). The SIRT lead or the host only."""
    require(actor, "mfa.reset", user)
    TOTPDevice.objects.filter(user=user).delete()
    device = None
    if key_hex is not None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key_hex, confirmed=True)
    audit_append(
        actor=actor,
        action="mfa.reset",
        object_type="user",
        object_id=str(user.pk),
        data={"installed": device is not None},
    )
    return device
