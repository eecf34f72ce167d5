"""Advisories (drafts encrypted, published copies public), CVE reservations, rejections.

The line between confidential and public is a table boundary: ``Advisory`` holds the editable
draft in an encrypted field, and ``AdvisoryApproval`` / ``AdvisoryEvent`` record who approved
which revision and every state change (private: they name people and dates before anything is
public). ``PublicAdvisory`` and the rows hanging off it (``PublishedDocument`` per version,
``PublicRevision``, the query index) are written only by publication, revision and withdrawal
and hold nothing that is not already public — a revision's or withdrawal's reason is written
there only as it becomes public. Every public page, feed and API reads only those tables, so
an unpublished case cannot leak through a forgotten filter.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from akrites.cases.models import Case
from akrites.core.fields import EncryptedTextField
from akrites.core.models import TimestampedModel
from akrites.core.stateguard import StateGuarded, StateGuardedManager


class AdvisoryState(models.TextChoices):
    """The advisory's one state; the allowed changes are the table in ``disclosure.lifecycle``."""

    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Advisory(StateGuarded, TimestampedModel):
    # ``state`` changes only through ``disclosure.services.transitions`` (disclosure.lifecycle).
    STATE_FIELD = "state"
    STATE_MACHINE = "advisory"
    STATE_INITIAL = "draft"
    objects = StateGuardedManager()

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="advisory")
    state = models.CharField(
        max_length=12, choices=AdvisoryState.choices, default=AdvisoryState.DRAFT
    )
    # AdvisoryContent.to_dict() as JSON; embargoed until published, hence encrypted.
    content = EncryptedTextField()
    # Our own CVE id (reserved through the CNA backend); ids are not content.
    cve_id = models.CharField(max_length=30, blank=True, db_index=True)
    # The maintainers' (or SIRT's) decision to disclose at this instant; an embargo end from
    # akrites.confidentiality, when there is one, may make it earlier (see disclosure.instant).
    disclose_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The draft's revision: +1 on every change of what would be published (content, CVE id).
    # An approval names the revision it approves, so any later change is seen.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["state", "disclose_at"], name="advisory_state_due")]

    def __str__(self) -> str:
        return f"advisory of {self.case_id}"


class ApprovalRelease(models.TextChoices):
    NOW = "now", "Now"
    AT_INSTANT = "at_instant", "At the disclosure instant"


class AdvisoryApproval(models.Model):
    """A SIRT member's approval of one revision of the draft (after a fresh second factor).

    Rows are facts and never change. The advisory is approved while its state is ``approved``;
    its approval is then its newest row. Publication checks that the revision and the digest
    of what would be published still match the row.
    """

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="approvals")
    revision = models.PositiveIntegerField()
    # SHA-256 over the canonical JSON of the content and CVE id approved (see services).
    digest = models.CharField(max_length=64)
    release = models.CharField(max_length=12, choices=ApprovalRelease.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_by_label = models.CharField(max_length=200)
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["-approved_at", "-id"]

    def __str__(self) -> str:
        return f"approval {self.pk} of revision {self.revision}"


class AdvisoryEvent(models.Model):
    """One transition of an advisory: (old, new, actor, reason), as the lifecycle table allows."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    name = models.CharField(max_length=30)
    old_state = models.CharField(max_length=12)
    new_state = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    # A reason for withdrawing an approval may cite embargoed facts: encrypted like content.
    reason = EncryptedTextField(blank=True, default="")
    revision = models.PositiveIntegerField()  # the draft revision after the transition
    version = models.PositiveIntegerField(default=0)  # the public version after it (0: none)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.name} of advisory {self.advisory_id}"


class AdvisoryCounter(models.Model):
    """The last public advisory number per year (``AKRITES-YYYY-NNNNN``), handed out only at
    publication so that numbers reveal nothing about drafts."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class PublicAdvisory(models.Model):
    """The public face of a published advisory (plaintext: it is public)."""

    advisory = models.OneToOneField(Advisory, on_delete=models.PROTECT, related_name="public")
    public_id = models.CharField(max_length=40, unique=True)  # AKRITES-2026-00001
    osv_id = models.CharField(max_length=50, unique=True)  # x_AKRITES-2026-00001
    cve_id = models.CharField(max_length=30, blank=True, db_index=True)
    year = models.PositiveIntegerField()
    summary = models.TextField()
    details = models.TextField(blank=True)
    severity = models.CharField(max_length=20, blank=True)
    search_text = models.TextField(blank=True)
    published_at = models.DateTimeField(db_index=True)
    modified_at = models.DateTimeField()
    # The latest version (1 at publication, +1 per revision and for the withdrawal).
    version = models.PositiveIntegerField(default=1)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.public_id


class RevisionKind(models.TextChoices):
    INITIAL = "initial", "Initial release"
    REVISION = "revision", "Revision"
    WITHDRAWAL = "withdrawal", "Withdrawal"


class PublicRevision(models.Model):
    """One published version of an advisory and why it was issued (public from that moment)."""

    public = models.ForeignKey(PublicAdvisory, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=RevisionKind.choices)
    summary = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["public", "number"], name="revision_public_number")
        ]

    def __str__(self) -> str:
        return f"{self.public_id} v{self.number}"


class DocumentKind(models.TextChoices):
    OSV = "osv", "OSV"
    CVE = "cve", "CVE JSON 5.1 CNA container"
    CSAF = "csaf", "CSAF 2.0"
    OPENVEX = "openvex", "OpenVEX 0.2.0"
    CYCLONEDX = "cyclonedx", "CycloneDX VEX"


class PublishedDocument(models.Model):
    """One signed document of one version, stored as the exact bytes served (UTF-8 JSON).

    Every version's documents are kept: the latest is served at the advisory's URLs, each
    version at ``/advisories/<id>/v/<n>/``."""

    public = models.ForeignKey(PublicAdvisory, on_delete=models.CASCADE, related_name="documents")
    version = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    filename = models.CharField(max_length=100)
    content = models.TextField()
    sha256 = models.CharField(max_length=64)
    sha512 = models.CharField(max_length=128)
    signature = models.CharField(max_length=100)  # base64 Ed25519 over the UTF-8 bytes
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["public", "version", "kind"], name="document_public_version_kind"
            )
        ]

    def __str__(self) -> str:
        return f"document {self.pk} ({self.kind})"


class PublicAffected(models.Model):
    """The OSV query index: one row per affected package of a published advisory."""

    public = models.ForeignKey(PublicAdvisory, on_delete=models.CASCADE, related_name="affected")
    ecosystem = models.CharField(max_length=60)
    name = models.CharField(max_length=300)
    purl = models.CharField(max_length=500)
    vers = models.CharField(max_length=2000, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["ecosystem", "name"], name="public_affected_eco_name"),
            models.Index(fields=["purl"], name="public_affected_purl"),
        ]

    def __str__(self) -> str:
        return self.purl


class PublicCommit(models.Model):
    """Commits a published advisory names as affected (GIT range introduced/last_affected)."""

    public = models.ForeignKey(PublicAdvisory, on_delete=models.CASCADE, related_name="commits")
    commit = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return self.commit


class ReservationState(models.TextChoices):
    RESERVED = "reserved", "Reserved"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"


class CveReservation(TimestampedModel):
    """A CVE id we reserved (from the local block or CVE Services) and what became of it."""

    cve_id = models.CharField(max_length=30, unique=True)
    backend = models.CharField(max_length=20)
    advisory = models.ForeignKey(
        Advisory, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations"
    )
    state = models.CharField(
        max_length=12, choices=ReservationState.choices, default=ReservationState.RESERVED
    )

    def __str__(self) -> str:
        return self.cve_id


class RejectionCategory(models.TextChoices):
    INVALID = "invalid", "Not a vulnerability"
    OUT_OF_SCOPE = "out_of_scope", "Out of scope"
    NOT_REPRODUCIBLE = "not_reproducible", "Could not be reproduced"
    SPAM = "spam", "Spam"
    UNVERIFIED_GENERATED = "unverified_generated", "Unverified machine-generated report"


class PublishedRejection(models.Model):
    """A rejected report made public, redacted: package, reason category and date only."""

    report = models.OneToOneField(
        "intake.Report", on_delete=models.PROTECT, related_name="published_rejection"
    )
    purl = models.CharField(max_length=500, blank=True)
    category = models.CharField(max_length=30, choices=RejectionCategory.choices)
    rejected_on = models.DateField()
    published_at = models.DateTimeField(db_index=True)
    requested_by = models.CharField(max_length=10)  # "reporter" or "policy"

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"rejection {self.pk}"
