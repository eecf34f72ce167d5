"""The case room: one read composing what each app lets the viewer see of a case.

Each part comes from its own app's selector, which applies ``access.policy`` inside; this
module only decides which parts to ask for, so a part the viewer may not see is absent (never
rendered empty or disabled). ``NotFound`` for a case the viewer may not see comes from
``cases.selectors.case_room``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from akrites.access.policy import allowed
from akrites.cases.models import Case, CaseParticipant
from akrites.cases.selectors import CaseView, case_room
from akrites.cases.triage.severity import Severity, score_or_none
from akrites.confidentiality.selectors import case_panel
from akrites.conversation.audiences import readable
from akrites.conversation.selectors import Thread, thread
from akrites.conversation.services import mark_read
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import InvalidInput, NotFound
from akrites.disclosure.content import AdvisoryContent, content_from_dict
from akrites.disclosure.models import Advisory
from akrites.disclosure.selectors import advisory_for_case
from akrites.intake.selectors import first_report_at
from akrites.remediation.models import PatchProposal
from akrites.remediation.selectors import patch_list


@dataclass(frozen=True)
class Link:
    """A page of another app the viewer may open from the room (``url`` is a URL name)."""

    url: str
    label: str


@dataclass(frozen=True)
class Room:
    view: CaseView
    panel: dict[str, Any]
    severity: Severity | None
    severity_source: str
    countdown: timedelta | None
    participants: list[CaseParticipant] | None
    patches: list[PatchProposal] | None
    advisory: Advisory | None
    advisory_content: AdvisoryContent | None
    links: list[Link] = field(default_factory=list)
    conversation: Thread | None = None
    # The earliest report's arrival, for those who may read the reports (else None).
    first_reported_at: datetime | None = None

    @property
    def case(self) -> Case:
        return self.view.case

    @property
    def countdown_text(self) -> str:
        return countdown_text(self.countdown)


def countdown_text(countdown: timedelta | None) -> str:
    """ "in 41 days 3 hours" / "ended 2 days ago"; hours only in the last days."""
    if countdown is None:
        return ""
    left = abs(countdown)
    days, hours = left.days, left.seconds // 3600
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if days < 7:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    text = " ".join(parts)
    return f"in {text}" if countdown >= timedelta(0) else f"ended {text} ago"


def _severity(case: Case) -> tuple[Severity | None, str]:
    # The SIRT's assessment wins; before it, the reporter's proposal, labelled as such.
    if case.assessed_cvss:
        return score_or_none(case.assessed_cvss), "assessed by the SIRT"
    if case.proposed_cvss:
        return score_or_none(case.proposed_cvss), "proposed by the reporter"
    return None, ""


def _advisory(viewer: Actor, case: Case) -> tuple[Advisory | None, AdvisoryContent | None]:
    if not allowed(viewer, "case.read_advisory_draft", case):
        return None, None
    try:
        advisory = advisory_for_case(viewer=viewer, human_id=case.human_id)
    except NotFound:
        return None, None
    try:
        return advisory, content_from_dict(json.loads(advisory.content))
    except (InvalidInput, ValueError):  # a half-written draft still links to its page
        return advisory, None


def _links(viewer: Actor, case: Case) -> list[Link]:
    candidates = [
        ("case.view_triage", "cases:triage-panel", "Triage: severity, priority, clocks"),
        ("remediation.view_ladder", "remediation:case", "Remediation: dates, patches, status"),
        ("case.read_embargo", "access:embargo", "Embargo"),
        ("prenotify.view_candidates", "access:prenotification", "Pre-notification"),
        ("embargo.read_terms", "access:terms", "Embargo terms"),
        ("advisory.edit", "web:advisory", "Advisory: draft and publish"),
    ]
    links = [Link(url, label) for action, url, label in candidates if allowed(viewer, action, case)]
    if not any(link.url == "remediation:case" for link in links) and allowed(
        viewer, "patch.propose", case
    ):
        links.append(Link("remediation:case", "Patches"))
    return links


def room_get(*, viewer: Actor, human_id: str) -> Room:
    """Everything of case ``human_id`` the viewer may see, each part only if allowed."""
    view = case_room(viewer=viewer, human_id=human_id)
    case = view.case
    panel = case_panel(viewer=viewer, case=case)
    embargo = panel.get("embargo")
    ends_at = getattr(embargo, "ends_at", None)
    severity, source = _severity(case)
    participants = None
    if allowed(viewer, "case.add_participant", case):
        participants = list(
            CaseParticipant.objects.filter(case=case)
            .select_related("user")
            .order_by("role", "created_at")
        )
    patches = (
        patch_list(viewer=viewer, case=case) if allowed(viewer, "case.read_patch", case) else None
    )
    advisory, content = _advisory(viewer, case)
    conversation = None
    if readable(viewer, case):  # opening the room reads the thread: it is marked read
        conversation = thread(viewer=viewer, case=case)
        mark_read(actor=viewer, case=case, upto=conversation.last_number)
    return Room(
        view=view,
        panel=panel,
        severity=severity,
        severity_source=source,
        countdown=(ends_at - now()) if ends_at is not None else None,
        participants=participants,
        patches=patches,
        advisory=advisory,
        advisory_content=content,
        links=_links(viewer, case),
        conversation=conversation,
        first_reported_at=(
            first_report_at(viewer=viewer, case=case)
            if allowed(viewer, "case.view_reports", case)
            else None
        ),
    )
