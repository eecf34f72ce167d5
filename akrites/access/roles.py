"""The names of roles: in an organisation (a membership) and on a case.

The policy owns them; ``orgs`` stores memberships with these values, and the apps that tell the
policy about a case (``access.policy.case_facts``) speak of case roles by these names.
"""

from __future__ import annotations

from django.db import models


class OrgRole(models.TextChoices):
    SIRT_LEAD = "sirt_lead", "SIRT lead"
    SIRT_COORDINATOR = "sirt_coordinator", "SIRT coordinator"
    MEMBER_ADMIN = "member_admin", "Member administrator"
    MEMBER_OBSERVER = "member_observer", "Member observer"
    MAINTAINER = "maintainer", "Maintainer"
    REPORTER = "reporter", "Reporter"
    SCANNER_OPERATOR = "scanner_operator", "Scanner operator"
    DOWNSTREAM = "downstream", "Downstream"


SIRT_ROLES = frozenset({OrgRole.SIRT_LEAD, OrgRole.SIRT_COORDINATOR})

# Case-level roles an actor can hold.
SIRT = "sirt"
SIRT_LEAD = "sirt_lead"
MAINTAINER = "maintainer"
REPORTER = "reporter"
OBSERVER = "observer"
DOWNSTREAM = "downstream"
# An observer whose grant lets them read the raw report (the maintainers chose so).
OBSERVER_REPORT = "observer_report"
# Told of the case but has not accepted the embargo terms yet: sees the terms only.
PENDING_OBSERVER = "pending_observer"

CASE_VIEWERS = frozenset({SIRT, MAINTAINER, REPORTER, OBSERVER, DOWNSTREAM})
