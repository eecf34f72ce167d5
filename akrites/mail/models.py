"""Every mail that reached ``security@``: what became of it, once per Message-ID."""

from __future__ import annotations

from django.db import models

from akrites.core.fields import EncryptedTextField


class Outcome(models.TextChoices):
    REPORT = "report", "Recorded as a report"
    REPLY = "reply", "Posted into a case conversation"
    REFUSED = "refused", "Refused"


class InboundMail(models.Model):
    # SHA-256 of the Message-ID (or, without one, of the whole message): the same mail
    # delivered twice — a retrying MTA, a poller restarted mid-batch — is handled once.
    key = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # Why a mail was refused (a reason code, never content): forged_token, expired, …
    reason = models.CharField(max_length=40, blank=True)
    report_id = models.CharField(max_length=24, blank=True)
    case_id = models.IntegerField(null=True, blank=True)
    message_number = models.PositiveIntegerField(null=True, blank=True)
    # The sender and what the receiving MTA said about them (Authentication-Results):
    # personal data, hence encrypted.
    sender = EncryptedTextField(blank=True, default="")
    # Keyed digest of the sender's address: receipts are counted per sender without
    # storing the address in the clear.
    sender_digest = models.CharField(max_length=64, blank=True, db_index=True)
    authentication = EncryptedTextField(blank=True, default="")
    authenticated = models.BooleanField(default=False)
    receipt_sent = models.BooleanField(default=False)
    # Later deliveries of the same mail (a retrying MTA, or a replay): handled never again.
    replays = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["received_at"], name="inboundmail_received")]

    def __str__(self) -> str:
        return f"mail {self.key[:12]} → {self.outcome}"
