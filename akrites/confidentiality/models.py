"""Embargoes, their changes, pre-notification grants and member organisations' SBOMs.

The embargo is one instant in UTC per case. Who may see what during it is decided live by
``access.policy`` from these rows, so revoking a grant or publishing a case takes effect on
the next request. Free text (reasons) is encrypted like every other confidential field.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from akrites.core.clock import now
from akrites.core.fields import EncryptedBytesField, EncryptedTextField
from akrites.core.stateguard import StateGuarded, StateGuardedManager


class EmbargoState(models.TextChoices):
    ACTIVE = "active", "Active"
    LIFTED = "lifted", "Lifted early (two people agreed)"
    BROKEN = "broken", "Broken (leak or exploitation): disclosed at once"


class Embargo(StateGuarded):
    # ``state`` follows the table in ``confidentiality.lifecycle`` (``embargo_transition``).
    STATE_FIELD = "state"
    STATE_MACHINE = "embargo"
    STATE_INITIAL = "active"
    objects = StateGuardedManager()

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="embargo")
    # When the maintainers were notified: the policy's default end counts from here.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The latest end the policy allows now (the default, or an approved extension).
    limit_at = models.DateTimeField()
    exploited = models.BooleanField(default=False)
    state = models.CharField(
        max_length=10, choices=EmbargoState.choices, default=EmbargoState.ACTIVE
    )
    # When and by whom the end was chosen (``embargo_set_date``): the agreed disclosure
    # instant. None while the end is the policy's default (or only an approved extension).
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    chosen_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"embargo of case {self.case_id} until {self.ends_at:%Y-%m-%dT%H:%MZ}"


class ChangeKind(models.TextChoices):
    EXTEND = "extend", "Extension"
    LIFT = "lift", "Early lift"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class EmbargoChange(StateGuarded):
    """A proposed extension (needs the SIRT) or early lift (needs a second person)."""

    # ``status`` follows the table in ``confidentiality.lifecycle`` (``change_transition``).
    STATE_FIELD = "status"
    STATE_MACHINE = "embargo-change"
    STATE_INITIAL = "pending"
    objects = StateGuardedManager()

    embargo = models.ForeignKey(Embargo, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    status = models.CharField(
        max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    until = models.DateTimeField(null=True, blank=True)
    reason = EncryptedTextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class GrantRole(models.TextChoices):
    OBSERVER = "observer", "Member observer"
    DOWNSTREAM = "downstream", "Downstream"


class PrenotificationGrant(models.Model):
    """The maintainers' decision to tell one person of a member organisation, and when.

    The person sees nothing before ``notify_at`` and before accepting the embargo terms
    (``accepted_at``); access ends at revocation or publication (see ``access.policy``).
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="prenotification_grants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prenotifications"
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="prenotifications"
    )
    role = models.CharField(max_length=20, choices=GrantRole.choices, default=GrantRole.OBSERVER)
    notify_at = models.DateTimeField()
    # The raw report is for the maintainers; an observer sees it only when they say so.
    include_report = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    terms_digest = models.CharField(max_length=64, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user", "role"], name="grant_case_user_role")
        ]
        indexes = [models.Index(fields=["user", "case"], name="grant_user_case")]

    def __str__(self) -> str:
        return f"grant {self.pk}: user {self.user_id} on case {self.case_id}"


class PrenotifyConsent(models.Model):
    """The maintainers' consent that the SIRT lead may pre-notify members of one case.

    Pre-notification is the maintainers' decision (``access.rules``); with a consent in force
    (``withdrawn_at`` empty, at most one per case) the SIRT lead may also choose whom to tell
    and when. A maintainer gives and withdraws it; both are audited.
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="prenotify_consents"
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    given_at = models.DateTimeField(default=now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"consent {self.pk} on case {self.case_id}"


class Sbom(models.Model):
    """A member organisation's CycloneDX SBOM; the document itself is kept encrypted."""

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="sboms"
    )
    name = models.CharField(max_length=200)
    document = EncryptedBytesField()
    component_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"sbom {self.pk} of org {self.organisation_id}"


class SbomComponent(models.Model):
    """One package in an SBOM: versionless canonical purl (matched by index) and version."""

    sbom = models.ForeignKey(Sbom, on_delete=models.CASCADE, related_name="components")
    purl = models.CharField(max_length=500)
    version = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["purl"], name="sbom_component_purl")]

    def __str__(self) -> str:
        return f"{self.purl}@{self.version}"
