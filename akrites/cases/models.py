"""Cases: one per vulnerability, with participants and a timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from akrites.core.fields import EncryptedTextField
from akrites.core.models import TimestampedModel
from akrites.core.stateguard import StateGuarded, StateGuardedManager
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


class Case(StateGuarded, TimestampedModel):
    # ``status`` changes only through ``cases.services.transitions`` (cases.lifecycle).
    STATE_FIELD = "status"
    STATE_MACHINE = "lifecycle"
    STATE_INITIAL = "triage"
    objects = StateGuardedManager()

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
    # When the project's maintainers were first told (``notify_maintainers``, or a disclosure
    # that came first). Until then the team is not a party: the SIRT screens reports before
    # maintainers see them (``access.policy``), and the embargo clock has not started.
    maintainers_notified_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    # Triage (see ``cases.triage`` and docs/triage.md). CVSS vectors are coded enumerations,
    # not prose, and are kept in clear so the queue can be ordered in the database.
    # The reporter's proposal, as received (never overwritten by the SIRT's assessment).
    proposed_cvss = models.CharField(max_length=300, blank=True)
    proposed_cvss_score = models.DecimalField(max_digits=3, decimal_places=1, null=True)
    proposed_cwe = models.CharField(max_length=20, blank=True)
    # The SIRT's assessment, set only through ``case_severity_assess`` (reason, audited).
    assessed_cvss = models.CharField(max_length=300, blank=True)
    assessed_cvss_score = models.DecimalField(max_digits=3, decimal_places=1, null=True)
    assessed_cwe = models.CharField(max_length=20, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    # Exploitation evidence; ``exploited_at`` is when the SIRT became aware (CRA clocks start).
    known_exploited = models.BooleanField(default=False)
    exploited_at = models.DateTimeField(null=True, blank=True)
    # At most one coordinator works a case; taken only by a conditional UPDATE.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Clock milestones (``cases.triage.clocks``): first human response, first triage
    # decision, first fix ready, and when each EU CRA report was filed.
    responded_at = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    fix_ready_at = models.DateTimeField(null=True, blank=True)
    cra_early_warning_at = models.DateTimeField(null=True, blank=True)
    cra_notification_at = models.DateTimeField(null=True, blank=True)
    cra_final_report_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="case_year_number_unique")
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="case_status_created"),
            models.Index(fields=["known_exploited", "status"], name="case_exploited_status"),
            # Unfiltered case lists are ordered newest first: without this index every page
            # sorted the whole table (881 ms p50 at 667 k cases, docs/BENCHMARKS.md).
            models.Index(fields=["-created_at", "-id"], name="case_created_desc"),
            # Searching by project lists a project's newest cases: a range, not a sort.
            models.Index(fields=["project", "-created_at", "-id"], name="case_project_created"),
        ]

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


# Triage models live in their own module; importing them here registers them with the app.
from akrites.cases.triage.models import ClockBreach, FinderOutcome, SenderQuota  # noqa: E402

__all__ = [
    "Case",
    "CaseCounter",
    "CaseParticipant",
    "ClockBreach",
    "FinderOutcome",
    "ParticipantRole",
    "SenderQuota",
    "Status",
    "TimelineEntry",
    "Visibility",
]
