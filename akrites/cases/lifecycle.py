"""The case lifecycle: one status, one table of allowed transitions.

Each transition has a name (the service ``case_<name>`` in ``cases.services.transitions``),
the statuses it may start from, the status it leads to, the policy action that guards it,
and the timeline visibility of the entry it records. ``docs/lifecycle.md`` is generated
from this table by ``akrites docs lifecycle`` so the diagram cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from akrites.cases.models import Status as S
from akrites.cases.models import Visibility as V


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    action: str
    visibility: str
    description: str
    needs_reason: bool = False


_OPEN_ACCEPTED = frozenset(
    {S.ACCEPTED, S.NOTIFIED, S.ACKNOWLEDGED, S.ESCALATED, S.STEWARDSHIP, S.FIXING, S.FIX_READY}
)

# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    Transition("accept", frozenset({S.TRIAGE}), S.ACCEPTED, "case.triage", V.PARTICIPANTS,
               "valid and in scope"),
    Transition("reject", frozenset({S.TRIAGE}), S.REJECTED, "case.triage", V.PARTICIPANTS,
               "invalid, out of scope or spam; the reporter is told why", needs_reason=True),
    Transition("mark_duplicate", frozenset({S.TRIAGE}), S.DUPLICATE, "case.triage",
               V.PARTICIPANTS, "joins an existing case"),
    Transition("mark_already_public", frozenset({S.TRIAGE}), S.ALREADY_PUBLIC, "case.triage",
               V.PARTICIPANTS, "matches a published advisory"),
    Transition("reopen", frozenset({S.REJECTED, S.DUPLICATE, S.ALREADY_PUBLIC}), S.TRIAGE,
               "case.triage", V.PARTICIPANTS, "back to triage", needs_reason=True),
    Transition("notify_maintainers", frozenset({S.ACCEPTED}), S.NOTIFIED, "case.coordinate",
               V.PARTICIPANTS, "maintainers are told"),
    Transition("acknowledge", frozenset({S.NOTIFIED, S.ESCALATED}), S.ACKNOWLEDGED,
               "case.acknowledge", V.PARTICIPANTS, "maintainers confirm receipt"),
    Transition("dispute", frozenset({S.NOTIFIED, S.ESCALATED, S.ACKNOWLEDGED}), S.DISPUTED,
               "case.acknowledge", V.PARTICIPANTS,
               "not a vulnerability, not our code, works as designed or won't fix",
               needs_reason=True),
    Transition("resume", frozenset({S.DISPUTED}), S.ACCEPTED, "case.coordinate",
               V.PARTICIPANTS, "the SIRT re-engages after a dispute", needs_reason=True),
    Transition("escalate", frozenset({S.NOTIFIED}), S.ESCALATED, "case.coordinate",
               V.MAINTAINERS, "no answer from the maintainers"),
    Transition("enter_stewardship", frozenset({S.ESCALATED}), S.STEWARDSHIP, "case.steward",
               V.PARTICIPANTS, "the SIRT becomes maintainer of last resort", needs_reason=True),
    Transition("start_fix", frozenset({S.ACKNOWLEDGED, S.STEWARDSHIP}), S.FIXING,
               "case.remediate", V.PARTICIPANTS, "a fix is being prepared"),
    Transition("mark_fix_ready", frozenset({S.FIXING}), S.FIX_READY, "case.remediate",
               V.PARTICIPANTS, "the canonical fix is ready"),
    Transition("prenotify", frozenset({S.FIX_READY}), S.PRENOTIFIED, "case.prenotify",
               V.MAINTAINERS, "member organisations told under embargo"),
    Transition("disclose", frozenset({S.FIX_READY, S.PRENOTIFIED}), S.DISCLOSED,
               "case.disclose", V.PUBLIC, "the advisory is public"),
    Transition("break_embargo", _OPEN_ACCEPTED | {S.PRENOTIFIED}, S.DISCLOSED,
               "case.break_embargo", V.PUBLIC,
               "leak or exploitation in the wild: immediate disclosure", needs_reason=True),
    Transition("close",
               frozenset({S.DISCLOSED, S.DISPUTED, S.REJECTED, S.DUPLICATE, S.ALREADY_PUBLIC}),
               S.CLOSED, "case.coordinate", V.PARTICIPANTS, "nothing more to do"),
)
# fmt: on

BY_NAME: dict[str, Transition] = {t.name: t for t in TRANSITIONS}
INITIAL = S.TRIAGE
# Entering one of these tells the project's maintainers (``Case.maintainers_notified_at``):
# the SIRT's notification, or a disclosure that came first (an embargo break before the
# maintainers were reached makes the case theirs too).
MAINTAINERS_TOLD = frozenset({S.NOTIFIED, S.DISCLOSED})


def allowed_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS if status in t.sources]


def mermaid_diagram() -> str:
    """A Mermaid state diagram generated from ``TRANSITIONS``."""
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL}"]
    for t in TRANSITIONS:
        for source in sorted(t.sources):
            lines.append(f"    {source} --> {t.target}: {t.name}")
    lines.append(f"    {S.CLOSED} --> [*]")
    return "\n".join(lines)


def markdown_document() -> str:
    rows = "\n".join(
        f"| `{t.name}` | {', '.join(f'`{s}`' for s in sorted(t.sources))} | `{t.target}` "
        f"| `{t.action}` | {t.visibility} | {'yes' if t.needs_reason else 'no'} "
        f"| {t.description} |"
        for t in TRANSITIONS
    )
    return (
        "# Case lifecycle\n\n"
        "Generated from `akrites/cases/lifecycle.py` by `akrites docs lifecycle`; "
        "a test fails when this file and the table differ.\n\n"
        f"```mermaid\n{mermaid_diagram()}\n```\n\n"
        "| transition | from | to | permission | timeline visibility | reason required "
        "| meaning |\n"
        "|---|---|---|---|---|---|---|\n"
        f"{rows}\n"
    )
