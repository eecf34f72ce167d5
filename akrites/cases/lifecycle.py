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


_OPEN_ACCEPTED = frozenset(
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
    _t("break_embargo", _OPEN_ACCEPTED | {S.PRENOTIFIED}, S.DISCLOSED,
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


def allowed_from(status: str) -> list[Transition]:
    return MACHINE.allowed_from(status)


def markdown_document() -> str:
    return MACHINE.markdown()
