"""The case lifecycle: one status, one table of allowed transitions.

Each transition has a name (the service ``case_<name>`` in ``cases.services.transitions``),
the statuses it may start from, the status it leads to, the policy action that guards it,
and the timeline visibility of the entry it records. ``docs/lifecycle.md`` is generated
from this table by ``akrites docs lifecycle`` so the diagram cannot drift.
"""

from __future__ import annotations

from akrites.cases.models import Status as S
from akrites.cases.models import Visibility as V
from akrites.core.statemachine import Machine, Transition


def _t(
    name: str,
    sources: frozenset[str],
    target: str,
    action: str,
    visibility: str,
    description: str,
    needs_reason: bool = False,
) -> Transition:
    return Transition(
        name, sources, target, action, description, needs_reason, visibility=visibility
    )


# Accepted and being remediated, from acceptance until the fix is ready (not disputed, nobody
# pre-notified yet): the maintainers and the SIRT agree dates here, and the embargo can break.
IN_REMEDIATION = frozenset(
    {S.ACCEPTED, S.NOTIFIED, S.ACKNOWLEDGED, S.ESCALATED, S.STEWARDSHIP, S.FIXING, S.FIX_READY}
)

# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    _t("accept", frozenset({S.TRIAGE}), S.ACCEPTED, "case.triage", V.PARTICIPANTS,
       "valid and in scope"),
    _t("reject", frozenset({S.TRIAGE}), S.REJECTED, "case.triage", V.PARTICIPANTS,
       "invalid, out of scope or spam; the reporter is told why", needs_reason=True),
    _t("mark_duplicate", frozenset({S.TRIAGE}), S.DUPLICATE, "case.triage",
       V.PARTICIPANTS, "joins an existing case"),
    _t("mark_already_public", frozenset({S.TRIAGE}), S.ALREADY_PUBLIC, "case.triage",
       V.PARTICIPANTS, "matches a published advisory"),
    _t("reopen", frozenset({S.REJECTED, S.DUPLICATE, S.ALREADY_PUBLIC}), S.TRIAGE,
       "case.triage", V.PARTICIPANTS, "back to triage", needs_reason=True),
    _t("notify_maintainers", frozenset({S.ACCEPTED}), S.NOTIFIED, "case.coordinate",
       V.PARTICIPANTS, "maintainers are told"),
    _t("acknowledge", frozenset({S.NOTIFIED, S.ESCALATED}), S.ACKNOWLEDGED,
       "case.acknowledge", V.PARTICIPANTS, "maintainers confirm receipt"),
    _t("dispute", frozenset({S.NOTIFIED, S.ESCALATED, S.ACKNOWLEDGED}), S.DISPUTED,
       "case.acknowledge", V.PARTICIPANTS,
       "not a vulnerability, not our code, works as designed or won't fix",
       needs_reason=True),
    _t("resume", frozenset({S.DISPUTED}), S.ACCEPTED, "case.coordinate",
       V.PARTICIPANTS, "the SIRT re-engages after a dispute", needs_reason=True),
    _t("escalate", frozenset({S.NOTIFIED}), S.ESCALATED, "case.coordinate",
       V.MAINTAINERS, "no answer from the maintainers"),
    _t("enter_stewardship", frozenset({S.ESCALATED}), S.STEWARDSHIP, "case.steward",
       V.PARTICIPANTS, "the SIRT becomes maintainer of last resort", needs_reason=True),
    _t("start_fix", frozenset({S.ACKNOWLEDGED, S.STEWARDSHIP}), S.FIXING,
       "case.remediate", V.PARTICIPANTS, "a fix is being prepared"),
    _t("mark_fix_ready", frozenset({S.FIXING}), S.FIX_READY, "case.remediate",
       V.PARTICIPANTS, "the canonical fix is ready"),
    _t("prenotify", frozenset({S.FIX_READY}), S.PRENOTIFIED, "case.prenotify",
       V.MAINTAINERS, "member organisations told under embargo"),
    _t("disclose", frozenset({S.FIX_READY, S.PRENOTIFIED}), S.DISCLOSED,
       "case.disclose", V.PUBLIC, "the advisory is public"),
    _t("break_embargo", IN_REMEDIATION | {S.PRENOTIFIED}, S.DISCLOSED,
       "case.break_embargo", V.PUBLIC,
       "leak or exploitation in the wild: immediate disclosure", needs_reason=True),
    _t("close",
       frozenset({S.DISCLOSED, S.DISPUTED, S.REJECTED, S.DUPLICATE, S.ALREADY_PUBLIC}),
       S.CLOSED, "case.coordinate", V.PARTICIPANTS, "nothing more to do"),
)
# fmt: on

INITIAL = S.TRIAGE
MACHINE = Machine(
    name="lifecycle",
    title="Case lifecycle",
    table="akrites/cases/lifecycle.py",
    doc="lifecycle.md",
    initial=INITIAL,
    transitions=TRANSITIONS,
    finals=frozenset({S.CLOSED}),
)
BY_NAME: dict[str, Transition] = MACHINE.by_name
# Entering one of these tells the project's maintainers (``Case.maintainers_notified_at``):
# the SIRT's notification, or a disclosure that came first (an embargo break before the
# maintainers were reached makes the case theirs too).
MAINTAINERS_TOLD = frozenset({S.NOTIFIED, S.DISCLOSED})
# The case is public: observers' and downstreams' access has ended, embargo rules are closed.
PUBLISHED = frozenset({S.DISCLOSED, S.CLOSED})

# Named groups of statuses: every app outside ``cases`` uses these names, never a hand-written
# set (``cases/tests/test_lifecycle.py`` fails on one). Where a group is what the table says —
# the statuses a transition starts from — it is derived from the table.

# Triage set the report aside (the sources of ``reopen``): rejected, duplicate, already public.
SET_ASIDE = BY_NAME["reopen"].sources
# Not (or not yet) an accepted case: in triage, or set aside. It has no advisory.
NOT_ACCEPTED = frozenset({INITIAL}) | SET_ASIDE
# Still being worked on: neither set aside nor public (triage through pre-notification).
OPEN = frozenset(S) - SET_ASIDE - PUBLISHED
# The maintainers have been told and the case is not public: the embargo clock runs. (An
# accepted case is not in it, even one resumed after a dispute.)
NOTIFIED_OR_LATER = OPEN - {S.TRIAGE, S.ACCEPTED}
# Told and not disputed, not yet public: an agreed disclosure date is awaited.
DISCLOSURE_PENDING = NOTIFIED_OR_LATER - {S.DISPUTED}
# Told, no answer yet (the sources of ``acknowledge``): the escalation ladder runs.
AWAITING_ACKNOWLEDGEMENT = BY_NAME["acknowledge"].sources
# Someone owes a fix: a fix may be started (``start_fix``) or is being prepared
# (``mark_fix_ready``); a target fix date that passes is overdue.
FIX_PENDING = BY_NAME["start_fix"].sources | BY_NAME["mark_fix_ready"].sources
# From triage until the fix is ready, not while disputed: a patch may still be proposed.
BEFORE_FIX_READY = frozenset({INITIAL}) | (IN_REMEDIATION - {S.FIX_READY})


def in_order(statuses: frozenset[str]) -> tuple[S, ...]:
    """``statuses`` in the order of ``Status`` (for menus and filters)."""
    return tuple(s for s in S if s in statuses)


def allowed_from(status: str) -> list[Transition]:
    return MACHINE.allowed_from(status)


def markdown_document() -> str:
    return MACHINE.markdown()
