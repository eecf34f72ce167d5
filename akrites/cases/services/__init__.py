"""Writes for cases: creation, id allocation, lifecycle transitions, participants."""

from akrites.cases.services.create import allocate_case_number, case_create
from akrites.cases.services.participants import participant_add, participant_revoke
from akrites.cases.services.transitions import (
    case_accept,
    case_acknowledge,
    case_break_embargo,
    case_close,
    case_disclose,
    case_dispute,
    case_enter_stewardship,
    case_escalate,
    case_mark_already_public,
    case_mark_duplicate,
    case_mark_fix_ready,
    case_notify_maintainers,
    case_prenotify,
    case_reject,
    case_reopen,
    case_resume,
    case_start_fix,
    case_transition,
)

__all__ = [
    "allocate_case_number",
    "case_accept",
    "case_acknowledge",
    "case_break_embargo",
    "case_close",
    "case_create",
    "case_disclose",
    "case_dispute",
    "case_enter_stewardship",
    "case_escalate",
    "case_mark_already_public",
    "case_mark_duplicate",
    "case_mark_fix_ready",
    "case_notify_maintainers",
    "case_prenotify",
    "case_reject",
    "case_reopen",
    "case_resume",
    "case_start_fix",
    "case_transition",
    "participant_add",
    "participant_revoke",
]
