"""Cases: one per vulnerability, with participants and a timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from akrites.core.fields import EncryptedTextField
from akrites.core.models import TimestampedModel
from akrites.projects.models import Package, Project


class Status(models.TextChoices):
    TRIAGE = "triage", "In triage"
    REJECTED = "rejected", "Rejected"
    DUPLICATE = "duplicate", "Duplicate"
    ALREADY_PUBLIC = "already_public", "Already public"
    ACCEPTED = "accepted", "Accepted"
    NOTIFIED = "notified", "Maintainers notified"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DISPUTED = "disputed", "Disputed"
    ESCALATED = "escalated", "Escalated"
    STEWARDSHIP = "stewardship", "SIRT stewardship"
    FIXING = "fixing", "Fixing"
    FIX_READY = "fix_ready", "Fix ready"
    PRENOTIFIED = "prenotified", "Pre-notified"
    DISCLOSED = "disclosed", "Disclosed"
    CLOSED = "closed", "Closed"


class CaseCounter(models.Model):
    """The last case number handed out per year (``AKR-YYYY-NNNNN``)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(TimestampedModel):
    human_id = models.CharField(max_length=20, unique=True)
    year = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    title = EncryptedTextField()
    summary = EncryptedTextField(blank=True, default="")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="cases")
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="cases", null=True, blank=True
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TRIAGE)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    disclosed_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="case_year_number_unique")
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="case_status_created")]

    def __str__(self) -> str:
        return self.human_id


class ParticipantRole(models.TextChoices):
    REPORTER = "reporter", "Reporter"
    MAINTAINER = "maintainer", "Maintainer"
    COORDINATOR = "coordinator", "Coordinator"
    OBSERVER = "observer", "Member observer"
    DOWNSTREAM = "downstream", "Downstream"


class CaseParticipant(TimestampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_roles"
    )
    role = models.CharField(max_length=20, choices=ParticipantRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Access ends at this instant (observers and downstreams lose access at publication).
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user", "role"], name="participant_unique")
        ]


class Visibility(models.TextChoices):
    SIRT = "sirt", "SIRT only"
    MAINTAINERS = "maintainers", "SIRT and maintainers"
    PARTICIPANTS = "participants", "Everyone on the case"
    PUBLIC = "public", "Public"


class TimelineEntry(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    kind = models.CharField(max_length=40)
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    reason = EncryptedTextField(blank=True, default="")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="timeline_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
