"""Remediation records: the maintainers' terms, a case's dates and statements, patches, the
escalation ladder and SIRT stewardship.

Free text that may describe a vulnerability (reasons, diffs, messages, notes, contact
addresses) lives only in encrypted fields; plain columns hold identifiers and enumerations.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from akrites.cases.models import Case
from akrites.core.fields import EncryptedTextField
from akrites.core.models import TimestampedModel
from akrites.core.stateguard import StateGuarded, StateGuardedManager
from akrites.projects.models import Package, Project


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"
    ABANDONED = "abandoned", "Abandoned"


class ProjectTerms(TimestampedModel):
    """The maintainers' terms for one project (what they accept, what is not a bug for them)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="terms")
    # JSON list of {"kind": ..., "address": ...}: addresses identify people, hence encrypted.
    contact_channels = EncryptedTextField(blank=True, default="[]")
    embargo_max_days = models.PositiveIntegerField(null=True, blank=True)
    accepts_patches = models.BooleanField(default=True)
    accepts_ai_patches = models.BooleanField(default=False)
    supported_versions = models.CharField(max_length=500, blank=True)  # a vers range
    # A local path or URL cloned (depth 1) to run `git apply --check` on proposed patches.
    repository = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    last_release_on = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"terms of {self.project_id}"


class RuleKind(models.TextChoices):
    CWE = "cwe", "Weakness (CWE id)"
    KEYWORD = "keyword", "Keyword or phrase"
    PATH = "path", "Component path (glob)"


class ScopeRule(TimestampedModel):
    """One statement of the threat model: reports matching it are not vulnerabilities here."""

    terms = models.ForeignKey(ProjectTerms, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=10, choices=RuleKind.choices)
    pattern = models.CharField(max_length=300)
    # Published to the reporter whose report the rule answers.
    reason = models.TextField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["terms", "kind", "pattern"], name="scope_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.pattern}"


class DisputeOutcome(models.TextChoices):
    NOT_A_VULNERABILITY = "not_a_vulnerability", "Not a vulnerability"
    NOT_OUR_CODE = "not_our_code", "Not our code"
    WORKS_AS_DESIGNED = "works_as_designed", "Works as designed"
    WONT_FIX = "wont_fix", "Won't fix"


class CaseRemediation(TimestampedModel):
    """A case's target fix date and the maintainers' dispute, if any. The agreed disclosure
    instant is the case's embargo end (``confidentiality.ends``), not stored here."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="remediation")
    target_fix_on = models.DateField(null=True, blank=True)
    dates_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    dispute_outcome = models.CharField(max_length=30, choices=DisputeOutcome.choices, blank=True)
    dispute_reason = EncryptedTextField(blank=True, default="")

    def __str__(self) -> str:
        return f"remediation of {self.case_id}"


class VexStatus(models.TextChoices):
    AFFECTED = "affected", "Affected"
    NOT_AFFECTED = "not_affected", "Not affected"
    FIXED = "fixed", "Fixed"
    UNDER_INVESTIGATION = "under_investigation", "Under investigation"


class VexJustification(models.TextChoices):
    """The OpenVEX / CSAF vocabulary for "not affected"."""

    COMPONENT_NOT_PRESENT = "component_not_present", "Component not present"
    VULNERABLE_CODE_NOT_PRESENT = "vulnerable_code_not_present", "Vulnerable code not present"
    NOT_IN_EXECUTE_PATH = (
        "vulnerable_code_not_in_execute_path",
        "Vulnerable code not in execute path",
    )
    CANNOT_BE_CONTROLLED = (
        "vulnerable_code_cannot_be_controlled_by_adversary",
        "Vulnerable code cannot be controlled by adversary",
    )
    INLINE_MITIGATIONS = "inline_mitigations_already_exist", "Inline mitigations already exist"


class VersionStatement(TimestampedModel):
    """The maintainers' status for one package and version range (the latest replaces)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="statements")
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="+")
    version_range = models.CharField(max_length=500)  # canonical vers
    status = models.CharField(max_length=30, choices=VexStatus.choices)
    justification = models.CharField(max_length=60, choices=VexJustification.choices, blank=True)
    impact_statement = EncryptedTextField(blank=True, default="")
    action_statement = EncryptedTextField(blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_label = models.CharField(max_length=200)

    class Meta:
        ordering = ["package_id", "version_range"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "package", "version_range"], name="statement_unique_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.version_range}: {self.status}"


class ContactAttempt(models.Model):
    """One reminder round through every known contact of an unanswered case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contact_attempts")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    channels = models.JSONField(default=list)  # channel kinds only, never addresses
    # False when no notifications service was available: the attempt is recorded only.
    delivered = models.BooleanField(default=False)

    class Meta:
        ordering = ["case_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="contact_attempt_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} attempt {self.number}"


class LadderStep(models.Model):
    """A rung or due date handled once per case (the unique row is the claim)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ladder_steps")
    step = models.CharField(max_length=40)
    key = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "step", "key"], name="ladder_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {self.key}"


def new_patch_id() -> str:
    return "PAT-" + secrets.token_hex(6).upper()


class ApplyCheck(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked (no repository configured)"
    APPLIES = "applies", "Applies to the repository"
    DOES_NOT_APPLY = "does_not_apply", "Does not apply to the repository"


class PatchState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CANONICAL = "canonical", "Canonical fix"


class PatchProposal(StateGuarded, TimestampedModel):
    """A proposed fix: a unified diff, private to the case. At most one is canonical."""

    # ``state`` changes only through ``remediation.services.transitions`` (remediation.lifecycle).
    STATE_FIELD = "state"
    STATE_MACHINE = "patch"
    STATE_INITIAL = "proposed"
    objects = StateGuardedManager()

    public_id = models.CharField(max_length=20, unique=True, default=new_patch_id)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="patches")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    # The author's role when proposing: "maintainer", "sirt" or "contributor".
    author_role = models.CharField(max_length=20)
    title = EncryptedTextField()
    message = EncryptedTextField(blank=True, default="")
    diff = EncryptedTextField()
    # "Name <email>" lines credited as Co-developed-by in the exported commit.
    co_developers = EncryptedTextField(blank=True, default="")
    ai_generated = models.BooleanField(default=False)
    files_changed = models.PositiveIntegerField(default=0)
    lines_added = models.PositiveIntegerField(default=0)
    lines_removed = models.PositiveIntegerField(default=0)
    apply_check = models.CharField(
        max_length=20, choices=ApplyCheck.choices, default=ApplyCheck.UNCHECKED
    )
    apply_output = EncryptedTextField(blank=True, default="")
    state = models.CharField(max_length=12, choices=PatchState.choices, default=PatchState.PROPOSED)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    chosen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Exactly one canonical fix per case, whatever the service layer does.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state=PatchState.CANONICAL),
                name="patch_one_canonical_per_case",
            )
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def canonical(self) -> bool:
        """Whether this is the case's chosen fix (read by the API, exports and templates)."""
        return self.state == PatchState.CANONICAL


class ReviewVerdict(models.TextChoices):
    COMMENT = "comment", "Comment"
    APPROVE = "approve", "Approve"
    REQUEST_CHANGES = "request_changes", "Request changes"


class PatchReview(TimestampedModel):
    patch = models.ForeignKey(PatchProposal, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewer_label = models.CharField(max_length=200)
    verdict = models.CharField(max_length=20, choices=ReviewVerdict.choices)
    body = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"review {self.pk} of {self.patch_id}"


class StewardshipTrigger(models.TextChoices):
    UNREACHABLE = "unreachable", "Maintainers unreachable"
    ARCHIVED = "archived", "Project archived or abandoned"
    MANUAL = "manual", "SIRT decision"


class Stewardship(TimestampedModel):
    """The SIRT acting as maintainer of last resort for one case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="stewardship")
    trigger = models.CharField(max_length=20, choices=StewardshipTrigger.choices)
    handed_back_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"stewardship of {self.case_id}"


class ReleaseChannel(models.TextChoices):
    UPSTREAM = "upstream", "Upstream (someone can still release)"
    FORK = "fork", "Stewarded fork"


class ReleasePlan(TimestampedModel):
    """Where and how the stewarded fix is released, and how it goes back to the project."""

    stewardship = models.OneToOneField(
        Stewardship, on_delete=models.CASCADE, related_name="release_plan"
    )
    channel = models.CharField(max_length=20, choices=ReleaseChannel.choices)
    fork_name = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=100)
    notes = EncryptedTextField(blank=True, default="")
    handback = EncryptedTextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"release plan of {self.stewardship_id}"
