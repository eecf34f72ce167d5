"""Reports as received. Their content lives only in encrypted fields."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from akrites.core.fields import EncryptedTextField
from akrites.core.models import TimestampedModel
from akrites.orgs.models import Organisation
from akrites.projects.models import Package


def new_report_id() -> str:
    # Random, not sequential: report ids appear in receipts and must not reveal volume.
    return "RPT-" + secrets.token_hex(8).upper()


class ReportStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_CASE = "in_case", "Part of a case"
    DUPLICATE = "duplicate", "Duplicate of an existing case"
    ALREADY_PUBLIC = "already_public", "Already public"
    REJECTED = "rejected", "Rejected"


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
    # Anonymous web submissions leave a contact address (encrypted: it identifies a person).
    contact = EncryptedTextField(blank=True, default="")
    source_format = models.CharField(max_length=20, default="akrites")
    title = EncryptedTextField()
    body = EncryptedTextField()
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
    # Credit order: the first finder of a case keeps first credit.
    received_seq = models.BigIntegerField(null=True, blank=True)
    credit_name = EncryptedTextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["reporter", "created_at"], name="report_reporter_created"),
            models.Index(fields=["case", "created_at"], name="report_case_created"),
        ]

    def __str__(self) -> str:
        return self.public_id
