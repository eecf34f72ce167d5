"""Reports as received. Their content lives only in encrypted fields."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from akrites.core.fields import EncryptedBytesField, EncryptedTextField
from akrites.core.models import TimestampedModel
from akrites.orgs.models import Organisation
from akrites.projects.models import Package


def new_report_id() -> str:
    # Random, not sequential: report ids appear in receipts and must not reveal volume.
    return "RPT-" + secrets.token_hex(8).upper()


class ReportStatus(models.TextChoices):
    # Before routing (``route_batch`` gives every stored report one of the others).
    RECEIVED = "received", "Received"
    # No case could be opened: the package is not registered (or the report names none).
    # The SIRT routes it to a project (``intake.services.unrouted``); nothing waits unseen.
    UNROUTED = "unrouted", "Waiting for the SIRT to route it to a project"
    IN_CASE = "in_case", "Part of a case"
    DUPLICATE = "duplicate", "Duplicate of an existing case"
    ALREADY_PUBLIC = "already_public", "Already public"
    REJECTED = "rejected", "Rejected"


class Channel(models.TextChoices):
    API = "api", "REST API"
    BULK = "bulk", "Bulk stream"
    WEB = "web", "Web form"
    CLI = "cli", "Command line"
    EMAIL = "email", "E-mail"
    SYSTEM = "system", "Operator"


class Report(TimestampedModel):
    public_id = models.CharField(max_length=24, unique=True, default=new_report_id)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reports",
        null=True,
        blank=True,
    )
    reporter_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.API)
    encrypted_submission = models.BooleanField(default=False)
    # Anonymous web submissions leave a contact address (encrypted: it identifies a person).
    contact = EncryptedTextField(blank=True, default="")
    # SHA-256 of the secret status link given to an anonymous reporter (the link is the key).
    status_digest = models.CharField(max_length=64, blank=True, db_index=True)
    source_format = models.CharField(max_length=20, default="akrites")
    title = EncryptedTextField()
    body = EncryptedTextField()
    # The whole normalised report (ParsedReport.to_dict() without attachment bytes), as JSON.
    details = EncryptedTextField(blank=True, default="")
    purl = models.CharField(max_length=500, blank=True)
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    # The first finder of a case keeps first credit: order of arrival within the case.
    credit_rank = models.PositiveIntegerField(null=True, blank=True)
    credit_name = EncryptedTextField(blank=True, default="")
    credit_anonymous = models.BooleanField(default=False)
    # Why a report was answered at intake without a case: the maintainers' published scope
    # rule and its reason, as the reporter is told it (empty for every other report).
    answer = EncryptedTextField(blank=True, default="")
    # The published advisory an "already public" report matched (a public id, not secret).
    public_advisory_id = models.CharField(max_length=100, blank=True)
    # The dedup decision: kind, score, the matched signals and look-alikes. The evidence can
    # quote report content (code names, fix URLs), hence encrypted.
    dedup = EncryptedTextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["reporter", "created_at"], name="report_reporter_created"),
            models.Index(fields=["case", "created_at"], name="report_case_created"),
            models.Index(fields=["status", "created_at"], name="report_status_created"),
        ]

    def __str__(self) -> str:
        return self.public_id


class Attachment(TimestampedModel):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    name = EncryptedTextField()
    media_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = EncryptedBytesField()

    def __str__(self) -> str:
        return f"attachment {self.pk} of {self.report_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a request with an ``Idempotency-Key``, replayed for retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    # The answer names report ids and statuses only; still encrypted, it is not for the DB.
    response = EncryptedTextField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key")]

    def __str__(self) -> str:
        return f"idempotency {self.user_id}:{self.pk}"


class RateWindow(models.Model):
    """Requests counted per identity (or ``*`` for everyone) in a fixed time window."""

    bucket = models.CharField(max_length=120)
    window_start = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_start"], name="rate_bucket_window")
        ]

    def __str__(self) -> str:
        return f"{self.bucket}@{self.window_start}: {self.count}"
