"""Triage records: finder outcomes, sender quotas and recorded clock breaches."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Outcome(models.TextChoices):
    VALID = "valid", "Valid"
    DUPLICATE = "duplicate", "Duplicate"
    INVALID = "invalid", "Invalid"
    SPAM = "spam", "Spam"


class FinderOutcome(models.Model):
    """The triage outcome of one report, credited to the account that sent it.

    One row per report, overwritten when the case is decided again and deleted when it is
    reopened, so a finder's track record is always the sum of the current decisions. A report
    answered at intake without a case (out of the maintainers' scope) has no ``case``.
    """

    report = models.OneToOneField(
        "intake.Report", on_delete=models.CASCADE, related_name="finder_outcome"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="finder_outcomes"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    decided_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "outcome"], name="finder_outcome_user")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.outcome}"


class SenderQuota(models.Model):
    """A daily report budget set by the SIRT for one sender (scanner identity or person).

    Without a row, scanners get ``AKRITES_QUOTA_SCANNER_DAILY`` and people
    ``AKRITES_QUOTA_PERSON_DAILY`` (0: no daily budget). The budget shrinks with a low
    finder signal (``cases.triage.signal.effective_limit``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sender_quota"
    )
    daily_limit = models.PositiveIntegerField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.user_id}: {self.daily_limit}/day"


class ClockKind(models.TextChoices):
    SLA_ACKNOWLEDGE = "sla_acknowledge", "SLA: acknowledge the report (2 business days)"
    SLA_ASSESS = "sla_assess", "SLA: initial assessment (10 business days)"
    CRA_EARLY_WARNING = "cra_early_warning", "EU CRA: early warning (24 hours)"
    CRA_NOTIFICATION = "cra_notification", "EU CRA: vulnerability notification (72 hours)"
    CRA_FINAL_REPORT = "cra_final_report", "EU CRA: final report (14 days after a fix)"


class ClockBreach(models.Model):
    """A clock found past its due instant by the periodic job; at most one per case and kind."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="breaches")
    kind = models.CharField(max_length=30, choices=ClockKind.choices)
    due_at = models.DateTimeField()
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="clock_breach_case_kind")
        ]
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} due {self.due_at:%Y-%m-%d %H:%M}"
