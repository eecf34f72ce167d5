"""The maintainer inbox: each case with what a maintainer (or a told member) needs to act.

Per case: status, severity, the embargo end with its countdown (UTC and the viewer's zone),
the clock to acknowledge, the next action, and — for whoever may read them, such as members
told under embargo — the canonical fix and the advisory draft. Cases a member was told of
but whose embargo terms they have not accepted are listed apart
(``confidentiality.selectors.awaiting_terms``): the case id, the embargo end and the terms,
with the button that accepts them. Everything is read in a fixed number of queries for the
whole page: each fact is asked of its owner in bulk — the embargo end of
``confidentiality.ends`` (stored, or the policy default once notified), the acknowledgement
clock and whether the dates are set of ``remediation.clocks``, the canonical fix of
``remediation.selectors``, the advisory of ``disclosure.selectors`` — and the policy decides
which rows offer an action or a fix (``allowed_cases``). Every case in the list is visible to
the viewer, and ``case.read_embargo`` is granted to exactly the case's viewers, so no case
shows an embargo its viewer may not read.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from akrites.access.policy import allowed_cases
from akrites.cases.lifecycle import (
    AWAITING_ACKNOWLEDGEMENT,
    IN_REMEDIATION,
    NOTIFIED_OR_LATER,
    PUBLISHED,
)
from akrites.cases.models import Case
from akrites.cases.selectors import case_list
from akrites.cases.triage.clocks import ClockState
from akrites.confidentiality.ends import embargo_ends
from akrites.confidentiality.selectors import viewer_zone
from akrites.conversation.selectors import unread_counts
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.disclosure.models import Advisory
from akrites.disclosure.selectors import advisories_for
from akrites.remediation.clocks import acknowledge_clocks, dates_set
from akrites.remediation.models import PatchProposal
from akrites.remediation.selectors import canonical_fixes
from akrites.web.caseroom import countdown_text
from akrites.web.queue import OPEN_STATUSES, band_of

# Dates are agreed from notification until the fix is ready; before acknowledging, that is
# the next action.
_DATES = IN_REMEDIATION & NOTIFIED_OR_LATER


@dataclass(frozen=True)
class NextAction:
    kind: str  # "acknowledge" (a button) or "dates" (a link to the dates form)
    label: str


@dataclass(frozen=True)
class InboxRow:
    case: Case
    band: str
    embargo_ends: datetime | None
    embargo_local: datetime | None
    zone: str
    acknowledge: ClockState | None
    next_action: NextAction | None
    at: datetime
    # For members told under embargo (and anyone who may read them): the fix the maintainers
    # chose and the advisory draft.
    fix: PatchProposal | None = None
    advisory: Advisory | None = None
    # Messages of the case conversation the viewer may read and has not read yet.
    unread: int = 0

    @property
    def countdown(self) -> timedelta | None:
        return None if self.embargo_ends is None else self.embargo_ends - self.at

    @property
    def countdown_text(self) -> str:
        return countdown_text(self.countdown)

    @property
    def score(self) -> Any:
        return self.case.assessed_cvss_score or self.case.proposed_cvss_score


def _next_actions(viewer: Actor, cases: list[Case], dated: set[int]) -> dict[int, NextAction]:
    """The next action per case id, for the cases whose status calls for one."""
    ack = allowed_cases(
        viewer, "case.acknowledge", [c for c in cases if c.status in AWAITING_ACKNOWLEDGEMENT]
    )
    undated = [c for c in cases if c.status in _DATES and c.pk not in dated and c.pk not in ack]
    dates = allowed_cases(viewer, "remediation.set_dates", undated)
    actions = {pk: NextAction("acknowledge", "Acknowledge") for pk in ack}
    actions.update({pk: NextAction("dates", "Set the dates") for pk in dates})
    return actions


def inbox_rows(*, viewer: Actor, open_only: bool = True, limit: int = 100) -> list[InboxRow]:
    """The viewer's cases, newest first (only those still being worked on by default)."""
    statuses: Collection[str] | None = OPEN_STATUSES if open_only else None
    cases = case_list(viewer=viewer, statuses=statuses, limit=limit)
    # A public case shows no embargo.
    ends = embargo_ends([c for c in cases if c.status not in PUBLISHED])
    at = now()
    clocks = acknowledge_clocks(cases, at=at)
    actions = _next_actions(viewer, cases, dates_set(cases))
    fixes = canonical_fixes(viewer=viewer, cases=cases)
    advisories = advisories_for(viewer=viewer, cases=cases)
    unread = unread_counts(viewer=viewer, cases=cases)
    zone: tzinfo = viewer_zone(viewer)
    rows = []
    for case in cases:
        end = ends.get(case.pk)
        rows.append(
            InboxRow(
                case=case,
                band=band_of(case),
                embargo_ends=end,
                embargo_local=end.astimezone(zone) if end is not None else None,
                zone=str(zone),
                acknowledge=clocks.get(case.pk),
                next_action=actions.get(case.pk),
                at=at,
                fix=fixes.get(case.pk),
                advisory=advisories.get(case.pk),
                unread=unread.get(case.pk, 0),
            )
        )
    return rows
