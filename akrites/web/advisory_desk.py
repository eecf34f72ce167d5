"""The advisory desk of one case: its draft as the viewer may edit it, whether and when it may
be published, the approval in force, and the published versions. A read composing the cases
and disclosure selectors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from akrites.access.policy import allowed, require
from akrites.cases.models import Case, Status
from akrites.cases.selectors import case_get
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import NotFound
from akrites.disclosure.instant import disclosure_instant
from akrites.disclosure.models import (
    Advisory,
    AdvisoryApproval,
    AdvisoryState,
    PublicAdvisory,
    PublicRevision,
)
from akrites.disclosure.selectors import (
    Finder,
    advisory_for_case,
    current_approval,
    draft_finders,
    public_of,
    public_revisions,
)
from akrites.intake.selectors import first_report_at


@dataclass(frozen=True)
class AdvisoryDesk:
    case: Case
    advisory: Advisory | None
    content: dict[str, Any]
    may_approve: bool
    may_withdraw_approval: bool
    may_revise: bool
    may_withdraw: bool
    instant: datetime | None
    approval: AdvisoryApproval | None
    public: PublicAdvisory | None
    revisions: list[PublicRevision]
    # Every finder, first arrival first, and when the first report came in (a merge may
    # bring in an earlier one than the report that opened the case).
    finders: list[Finder]
    first_reported_at: datetime | None

    @property
    def is_draft(self) -> bool:
        return self.advisory is not None and self.advisory.state == AdvisoryState.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.advisory is not None and self.advisory.state == AdvisoryState.APPROVED

    @property
    def is_published(self) -> bool:
        return self.advisory is not None and self.advisory.state == AdvisoryState.PUBLISHED

    @property
    def editable(self) -> bool:
        """The draft form is shown: a draft, or an approved draft (saving voids approval)."""
        return self.is_draft or self.is_approved

    @property
    def due(self) -> bool:
        """The disclosure instant has come (or the embargo was broken): publishing may go on."""
        if self.case.status == Status.DISCLOSED:
            return True
        return self.instant is not None and now() >= self.instant


def advisory_desk(*, viewer: Actor, human_id: str) -> AdvisoryDesk:
    """The desk of case ``human_id``. NotFound for a case the viewer may not see;
    PermissionDenied for a viewer who sees the case but may not edit its advisory."""
    case = case_get(viewer=viewer, human_id=human_id)
    require(viewer, "advisory.edit", case)
    try:
        advisory: Advisory | None = advisory_for_case(viewer=viewer, human_id=human_id)
    except NotFound:
        advisory = None
    content = json.loads(advisory.content) if advisory is not None else {}
    content = content if isinstance(content, dict) else {}
    public = public_of(advisory) if advisory is not None else None
    return AdvisoryDesk(
        case=case,
        advisory=advisory,
        content=content,
        # Step-up is asked when a form is sent, not here: the page may offer the action.
        may_approve=allowed(viewer, "advisory.approve", case),
        may_withdraw_approval=allowed(viewer, "advisory.withdraw_approval", case),
        may_revise=allowed(viewer, "advisory.revise", case),
        may_withdraw=allowed(viewer, "advisory.withdraw", case),
        instant=disclosure_instant(case),
        approval=current_approval(advisory) if advisory is not None else None,
        public=public,
        revisions=public_revisions(public) if public is not None else [],
        finders=draft_finders(viewer=viewer, case=case, content=content),
        first_reported_at=first_report_at(viewer=viewer, case=case),
    )
