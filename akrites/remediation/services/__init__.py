"""Writes for remediation: inbox actions, terms, patches, stewardship, the ladder."""

from akrites.remediation.services.inbox import (
    comaintainer_invite,
    remediation_acknowledge,
    remediation_dispute,
    remediation_set_dates,
    statement_set,
)
from akrites.remediation.services.ladder import due_dates_advance, ladder_advance, ladder_run
from akrites.remediation.services.patches import (
    fix_mark_ready,
    patch_choose,
    patch_propose,
    patch_review,
)
from akrites.remediation.services.stewardship import (
    release_plan_record,
    stewardship_enter,
    stewardship_hand_back,
)
from akrites.remediation.services.terms import (
    RuleIn,
    project_mark_status,
    scope_screen,
    screen_report,
    terms_update,
)

__all__ = [
    "RuleIn",
    "comaintainer_invite",
    "due_dates_advance",
    "fix_mark_ready",
    "ladder_advance",
    "ladder_run",
    "patch_choose",
    "patch_propose",
    "patch_review",
    "project_mark_status",
    "release_plan_record",
    "remediation_acknowledge",
    "remediation_dispute",
    "remediation_set_dates",
    "scope_screen",
    "screen_report",
    "statement_set",
    "stewardship_enter",
    "stewardship_hand_back",
    "terms_update",
]
