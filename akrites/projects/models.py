"""Open-source projects and their packages, keyed by package URL (purl), with the registry
data triage needs: security contacts, maintenance signals and a criticality score.

What of the registry is public is decided in docs/triage.md: in this version, nothing is
served to outsiders (contacts and response times are operational data).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from akrites.core.models import TimestampedModel
from akrites.orgs.models import Organisation


class Project(TimestampedModel):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    # The project team: its members with the maintainer role maintain this project.
    team = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="projects", null=True, blank=True
    )
    repository_url = models.URLField(blank=True)
    security_policy_url = models.URLField(blank=True)
    # Maintenance signals, imported (``akrites import-projects``), never scraped.
    last_commit_at = models.DateTimeField(null=True, blank=True)
    last_release_at = models.DateTimeField(null=True, blank=True)
    # Median days the maintainers took to answer the SIRT.
    maintainer_response_days = models.FloatField(null=True, blank=True)
    signals_source = models.CharField(max_length=200, blank=True)
    signals_updated_at = models.DateTimeField(null=True, blank=True)
    # OpenSSF criticality-score inputs (projects.criticality.INPUTS) and the resulting score.
    criticality_inputs = models.JSONField(default=dict, blank=True)
    criticality_score = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Package(TimestampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="packages")
    # Canonical purl without version, qualifiers or subpath (packageurl-python's to_string()).
    purl = models.CharField(max_length=500, unique=True)
    type = models.CharField(max_length=40)
    namespace = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["type", "name"], name="package_type_name")]

    def __str__(self) -> str:
        return self.purl


class FileKind(models.TextChoices):
    SECURITY_TXT = "security_txt", "security.txt (RFC 9116)"
    SECURITY_MD = "security_md", "SECURITY.md"


class FileStatus(models.TextChoices):
    VALID = "valid", "Valid"
    INVALID = "invalid", "Invalid"
    EXPIRED = "expired", "Expired"


class SecurityFile(TimestampedModel):
    """The last parsed SECURITY.md or security.txt of a project, with what was wrong."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="security_files")
    kind = models.CharField(max_length=20, choices=FileKind.choices)
    status = models.CharField(max_length=10, choices=FileStatus.choices)
    # [{"field": …, "message": …}] — parser findings, never the file's text.
    problems = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="security_file_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind}: {self.status}"


class ContactRole(models.TextChoices):
    SECURITY = "security", "Security contact"
    MAINTAINER = "maintainer", "Maintainer"


class ContactSource(models.TextChoices):
    SECURITY_TXT = "security_txt", "security.txt"
    SECURITY_MD = "security_md", "SECURITY.md"
    IMPORT = "import", "Imported"
    SIRT = "sirt", "Entered by the SIRT"


class ProjectContact(TimestampedModel):
    """A way to reach a project: a platform user, or an address (mailto:, https:, tel:)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(max_length=20, choices=ContactRole.choices)
    source = models.CharField(max_length=20, choices=ContactSource.choices)
    address = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="project_contacts",
    )
    status = models.CharField(max_length=10, choices=FileStatus.choices)
    problem = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["project", "role"], name="contact_project_role")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.role}: {self.address or self.user_id}"
