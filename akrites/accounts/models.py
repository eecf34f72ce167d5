"""People and scanner identities who log in or call the API, their API tokens, and their
TOTP authenticators (seeds encrypted at rest).

Roles come from memberships (orgs) and case participation (cases). A scanner identity is an
account of kind ``scanner`` owned by an accountable organisation; it authenticates with
service tokens only (it has no usable password).
"""

from __future__ import annotations

import secrets
import time
from base64 import b32encode
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from akrites.core.fields import EncryptedBytesField


class AccountKind(models.TextChoices):
    PERSON = "person", "Person"
    SCANNER = "scanner", "Scanner identity"


class User(AbstractUser):
    display_name = models.CharField(max_length=150, blank=True)
    # IANA zone name; embargo instants are shown in UTC and in this zone.
    time_zone = models.CharField(max_length=64, default="UTC")
    kind = models.CharField(max_length=10, choices=AccountKind.choices, default=AccountKind.PERSON)
    # The organisation accountable for a scanner identity (None for people).
    owner_org = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scanners",
    )

    # Bumped by ``accounts.mfa.sessions_kill``: it is part of the session hash, so every
    # session of the user stops working at its next request (which also revokes API tokens).
    session_epoch = models.PositiveIntegerField(default=0)

    # The address last confirmed through a link mailed to it (``accounts.addresses``). Mail
    # goes only to a verified address: ``email`` equal to this. Any write of ``email`` that
    # does not go through a confirmation (admin, import, ``user_create``) leaves it unverified.
    email_verified = models.EmailField(blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)

    # Noted on the request's user by ``accounts.middleware`` for that request only (not
    # columns; declared so their writers are typed). The policy reads them with ``getattr``
    # and a default, since a visitor or a host component (``core.actors.Actor``) has none:
    # the token's scopes, a browser session's mark and last step-up, the cached org roles.
    _akrites_token_scopes: frozenset[str]
    _akrites_interactive: bool
    _akrites_step_up_at: datetime | None
    _akrites_org_roles: frozenset[tuple[int, str]]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def has_verified_email(self) -> bool:
        return bool(self.email) and self.email.casefold() == self.email_verified.casefold()

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "akrites.accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()


class TokenScope(models.TextChoices):
    READ = "read", "Read"
    SUBMIT = "submit", "Submit reports"
    CONVERSE = "converse", "Read and post case messages"


class ApiToken(models.Model):
    """A bearer token ``akr_<prefix>_<secret>``; only SHA-256 of the whole token is stored.

    Tokens carry 256 bits of randomness, so a fast hash is enough (no password stretching);
    the prefix is an index for lookup and is safe to show in lists.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"akr_{self.prefix}_… ({self.name})"


class EmailConfirmation(models.Model):
    """A pending confirmation of ``address`` for ``user``, sent as a link with a token.

    Only a keyed digest of the token, the user and the address is stored (``digest``), so
    the link confirms that address for that account and nothing else, and a copy of the
    table cannot be turned into links. Single use (``used_at``), expiring (``expires_at``);
    setting another address supersedes every pending one (their ``used_at`` is set).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_confirmations")
    address = models.EmailField()
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"confirmation {self.pk} of user {self.user_id}"


def new_totp_seed() -> bytes:
    # 160 bits, as RFC 4226 recommends and authenticator apps expect.
    return secrets.token_bytes(20)


class TotpDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """A TOTP authenticator (RFC 6238) whose seed is encrypted at rest.

    Verifies exactly as django-otp's ``TOTPDevice`` (drift, one step of tolerance, exponential
    throttling) and is a django-otp ``Device``, so ``django_otp.login``, ``OTPMiddleware`` and
    ``user.is_verified()`` work unchanged. The seed is an ``EncryptedBytesField``: a dump or
    backup never shows it, and ``akrites keys rotate`` re-encrypts it with every other column.
    A code is accepted once: ``last_t`` remembers the last accepted time step.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="totp_devices")
    key = EncryptedBytesField(default=new_totp_seed)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    # Declared for mypy only (django-stubs cannot see through django-otp's untyped Device);
    # at run time both are django-otp's DeviceManager, inherited.
    objects: ClassVar[models.Manager[TotpDevice]]
    _default_manager: ClassVar[models.Manager[TotpDevice]]

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = "TOTP device"

    @property
    def bin_key(self) -> bytes:
        return bytes(self.key)

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    def verify_token(self, token: Any) -> bool:
        """True for a current code not used before; every failure counts for throttling.

        Callers that may race (two requests with one code) lock the row first
        (``accounts.mfa.mfa_check``), so the ``last_t`` check and update are one step.
        """
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            code = int(token)
        except (TypeError, ValueError):
            code = None
        if code is not None:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            if totp.verify(code, self.tolerance, self.last_t + 1):
                self.last_t, self.drift = totp.t(), totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save(update_fields=[*_THROTTLE_FIELDS, "last_t", "drift", "last_used_at"])
                return True
        self.throttle_increment(commit=False)
        self.save(update_fields=_THROTTLE_FIELDS)
        return False

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` URI authenticator apps scan (Key Uri Format)."""
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        label = f"{issuer}:{self.user.get_username()}" if issuer else self.user.get_username()
        params = {
            "secret": b32encode(self.bin_key).decode().rstrip("="),
            "algorithm": "SHA1",
            "digits": self.digits,
            "period": self.step,
        }
        query = urlencode(params) + (f"&issuer={quote(issuer)}" if issuer else "")
        return f"otpauth://totp/{quote(label)}?{query}"


_THROTTLE_FIELDS = ["throttling_failure_timestamp", "throttling_failure_count"]
