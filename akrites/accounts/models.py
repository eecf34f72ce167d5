"""People and scanner identities who log in or call the API, and their API tokens.

Roles come from memberships (orgs) and case participation (cases). A scanner identity is an
account of kind ``scanner`` owned by an accountable organisation; it authenticates with
service tokens only (it has no usable password).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac


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

    # Bumped by ``accounts.services.sessions_kill``: it is part of the session hash, so every
    # session of the user stops working at its next request (API tokens are separate).
    session_epoch = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.display_name or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "akrites.accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()


class TokenScope(models.TextChoices):
    READ = "read", "Read"
    SUBMIT = "submit", "Submit reports"


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
