"""Organisations and memberships with roles.

Which roles an organisation kind admits is a table (``ROLES_BY_KIND``): an unknown role, or a
role that does not fit the organisation's kind, is refused by ``orgs.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from akrites.access.roles import SIRT_ROLES, OrgRole
from akrites.core.models import TimestampedModel


class OrgKind(models.TextChoices):
    SIRT = "sirt", "Akrites SIRT"
    MEMBER = "member", "Member organisation"
    PROJECT_TEAM = "project_team", "Project team"
    FINDER = "finder", "Finder organisation"
    DOWNSTREAM = "downstream", "Downstream"


__all__ = ["ROLES_BY_KIND", "SIRT_ROLES", "Membership", "OrgKind", "Organisation", "Role"]

# Role names belong to the policy (access.roles); memberships store them.
Role = OrgRole


ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrgKind.SIRT: frozenset({Role.SIRT_LEAD, Role.SIRT_COORDINATOR}),
    OrgKind.MEMBER: frozenset({Role.MEMBER_ADMIN, Role.MEMBER_OBSERVER}),
    OrgKind.PROJECT_TEAM: frozenset({Role.MAINTAINER}),
    OrgKind.FINDER: frozenset({Role.REPORTER, Role.SCANNER_OPERATOR}),
    OrgKind.DOWNSTREAM: frozenset({Role.DOWNSTREAM}),
}


class Organisation(TimestampedModel):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrgKind.choices)

    def __str__(self) -> str:
        return self.name


class Membership(TimestampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.organisation_id}:{self.role}"
