"""Notifications: the outbox, deliveries (the log), digests, preferences, webhooks, worker state.

Nothing here stores what was sent. An ``Event`` holds a kind, a case id and identifier-only
data; a ``Delivery`` records who, which channel, what kind, when and whether it arrived. The
content of a mail or payload is composed at send time from the case and never written down.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from akrites.core.clock import now
from akrites.core.fields import EncryptedTextField
from akrites.core.stateguard import StateGuarded, StateGuardedManager


class Event(models.Model):
    """One thing that happened, recorded in the caller's transaction (the outbox)."""

    kind = models.CharField(max_length=60)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Identifiers and small codes only (``notify`` refuses anything else).
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=now)
    # Set once by the dispatcher that claimed the event (conditional UPDATE).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["dispatched_at", "created_at"], name="notif_event_pending")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Encryption(models.TextChoices):
    NONE = "none", "Short notice"
    OPENPGP = "openpgp", "OpenPGP"
    # The recipient has a key but it could not be used (expired, revoked, invalid).
    FALLBACK = "fallback", "Short notice: recipient key unusable"


class Delivery(StateGuarded):
    """One message to one recipient on one channel, and its fate. Never its content.

    ``status`` follows the table in ``notifications.lifecycle`` and is written only by
    ``services.transitions.delivery_transition`` (``core.stateguard`` refuses anything else).
    """

    STATE_FIELD = "status"
    STATE_MACHINE = "delivery"
    STATE_INITIAL = "pending"
    objects = StateGuardedManager()

    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=60)  # the event kind, or "digest"
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subscription = models.ForeignKey(
        "WebhookSubscription",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    recipient_label = models.CharField(max_length=200)  # username or organisation slug
    # A mail to an address without an account: the contact an anonymous reporter left, told
    # that a message awaits them on their status page (never what it says).
    address = EncryptedTextField(blank=True, default="")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    encryption = models.CharField(max_length=10, choices=Encryption.choices, default="none")
    urgent = models.BooleanField(default=False)
    items = models.PositiveIntegerField(default=1)  # events covered (more than one: a digest)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=now)
    next_attempt_at = models.DateTimeField(default=now)
    # While SENDING: the claim expires here, after which a sweep may take the delivery over.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A short code ("smtp_550", "timeout", "http_500"), never a server's message text.
    last_error = models.CharField(max_length=60, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_delivery_due"),
            models.Index(fields=["user", "created_at"], name="notif_delivery_user"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} → {self.recipient_label}: {self.status}"


class DigestItem(models.Model):
    """An event held back for a recipient's next digest in one scope.

    The scope is ``project:<id>`` for case events and ``platform`` for events without a case
    (delivery failures for the SIRT).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=now)
    delivery = models.ForeignKey(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="digest_items"
    )

    class Meta:
        indexes = [models.Index(fields=["delivery", "created_at"], name="notif_digest_pending")]

    def __str__(self) -> str:
        return f"digest item {self.pk} for {self.user_id} in {self.scope}"


class DigestWindow(models.Model):
    """When a recipient last got a digest in a scope: the quota's state, claimed by UPDATE."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope"], name="notif_digest_window_unique")
        ]

    def __str__(self) -> str:
        return f"digest window of {self.user_id} in {self.scope}"


class Preference(models.Model):
    """A user's choices: digests only, and an OpenPGP public key for full-detail mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    digest_only = models.BooleanField(default=False)
    openpgp_key = models.TextField(blank=True)  # ASCII armour of a public key: not secret
    openpgp_fingerprint = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class WebhookSubscription(models.Model):
    """An organisation's endpoint for some event kinds (``*`` for all)."""

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    secret = EncryptedTextField()
    event_kinds = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"webhook #{self.pk} of {self.organisation_id}"


class PeriodicJobState(models.Model):
    """When each periodic job is next due; schedulers claim a run with a conditional UPDATE."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A live worker process; a task whose worker stopped beating is put back in the queue."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    pid = models.PositiveIntegerField()
    hostname = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.worker_id
