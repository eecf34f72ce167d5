"""TOTP second factor, step-up, and killing a user's sessions.

Only ``accounts`` touches ``TotpDevice`` rows. A device is usable once confirmed with a first
code; codes are single-use (the device remembers the last time step) and throttled. Seeds are
encrypted at rest (``TotpDevice.key``).
"""

from __future__ import annotations

import base64
from typing import Any

from django.db import transaction
from django.db.models import F

from akrites.access.policy import require
from akrites.accounts.actors import user_of
from akrites.accounts.models import ApiToken, TotpDevice, User
from akrites.audit.services import audit_append
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import InvalidInput

DEVICE_NAME = "authenticator"


def confirmed_device(user: Any) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_device(user: Any) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed=True).exists()


def secret_base32(device: TotpDevice) -> str:
    """The secret as authenticator apps take it (RFC 4648 base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def mfa_enrol_start(*, actor: Actor) -> TotpDevice:
    """The actor's unconfirmed device (created once), to show its secret and otpauth URI."""
    require(actor, "mfa.manage")
    user = user_of(actor)
    device = TotpDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TotpDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def mfa_enrol_confirm(*, actor: Actor, code: str) -> TotpDevice:
    """Confirm the pending device with a first code. Raises InvalidInput for a wrong code."""
    require(actor, "mfa.manage")
    device = (
        TotpDevice.objects.select_for_update()
        .filter(user=user_of(actor), confirmed=False)
        .order_by("id")
        .first()
    )
    if device is None or not device.verify_token(code.strip()):
        raise InvalidInput("code", "that code did not match; check the time on your device")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_append(actor=actor, action="mfa.enrol", object_type="user", object_id=str(actor.pk))
    return device


def mfa_check(*, actor: Actor, code: str) -> TotpDevice | None:
    """The confirmed device that accepts ``code`` (single use, throttled), else None.

    The device row is locked while the code is checked, so two requests with the same code
    cannot both pass.
    """
    if not code.strip().isdigit():
        return None
    with transaction.atomic():
        device = (
            TotpDevice.objects.select_for_update()
            .filter(user=user_of(actor), confirmed=True)
            .order_by("id")
            .first()
        )
        return device if device is not None and device.verify_token(code.strip()) else None


@transaction.atomic
def sessions_kill(*, actor: Actor, user: User) -> int:
    """End every browser session of ``user`` at its next request and revoke all their API
    tokens; returns how many tokens were revoked (one audit entry records both).

    The session epoch is part of the session hash Django checks on every request.
    """
    require(actor, "session.kill", user)
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    live = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    prefixes = sorted(live.values_list("prefix", flat=True))
    ApiToken.objects.filter(prefix__in=prefixes).update(revoked_at=now())
    audit_append(
        actor=actor,
        action="session.kill",
        object_type="user",
        object_id=str(user.pk),
        data={"tokens_revoked": len(prefixes), "tokens": prefixes},
    )
    return len(prefixes)


def _seed(key_hex: str) -> bytes:
    try:
        seed = bytes.fromhex(key_hex)
    except ValueError:
        seed = b""
    if not 10 <= len(seed) <= 40:
        raise InvalidInput("key_hex", "a hex-encoded key of 10 to 40 bytes")
    return seed


@transaction.atomic
def mfa_reset(*, actor: Actor, user: User, key_hex: str | None = None) -> TotpDevice | None:
    """Remove ``user``'s devices (a lost phone); with ``key_hex``, install a confirmed device
    with that key instead (operator tooling and demo data). The SIRT lead or the host only."""
    require(actor, "mfa.reset", user)
    seed = _seed(key_hex) if key_hex is not None else None
    TotpDevice.objects.filter(user=user).delete()
    device = None
    if seed is not None:
        device = TotpDevice.objects.create(user=user, name=DEVICE_NAME, key=seed, confirmed=True)
    audit_append(
        actor=actor,
        action="mfa.reset",
        object_type="user",
        object_id=str(user.pk),
        data={"installed": device is not None},
    )
    return device
