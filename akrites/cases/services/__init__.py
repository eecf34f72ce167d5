"""Writes for cases: creation, id allocation, lifecycle transitions, participants, timeline."""

from akrites.cases.services.create import (
    CaseOpening,
    allocate_case_number,
    case_create,
    cases_open_many,
)
from akrites.cases.services.participants import participant_add, participant_revoke
from akrites.cases.services.timeline import timeline_record
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
    "CaseOpening",
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
    "cases_open_many",
    "participant_add",
    "participant_revoke",
    "timeline_record",
]
