"""Open-source projects and their packages, keyed by package URL (purl)."""

from __future__ import annotations

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
