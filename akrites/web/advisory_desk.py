"""The advisory desk of one case: its draft as the viewer may edit it, and whether and when
it may be published. A read composing the cases and disclosure selectors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from akrites.access.policy import allowed, require
from akrites.cases.models import Case, Status
from akrites.cases.selectors import case_get
from akrites.core.clock import now
from akrites.core.errors import NotFound
from akrites.disclosure.instant import disclosure_instant
from akrites.disclosure.models import Advisory, AdvisoryState, PublicAdvisory
from akrites.disclosure.selectors import advisory_for_case


@dataclass(frozen=True)
class AdvisoryDesk:
    case: Case
    advisory: Advisory | None
    content: dict[str, Any]
    may_publish: bool
    instant: datetime | None

    @property
    def is_draft(self) -> bool:
        return self.advisory is not None and self.advisory.state == AdvisoryState.DRAFT

    @property
    def public(self) -> PublicAdvisory | None:
        return getattr(self.advisory, "public", None) if self.advisory is not None else None

    @property
    def due(self) -> bool:
        """The disclosure instant has come (or the embargo was broken): publishing may go on."""
        if self.case.status == Status.DISCLOSED:
            return True
        return self.instant is not None and now() >= self.instant


def advisory_desk(*, viewer: Any, human_id: str) -> AdvisoryDesk:
    """The desk of case ``human_id``. NotFound for a case the viewer may not see;
    PermissionDenied for a viewer who sees the case but may not edit its advisory."""
    case = case_get(viewer=viewer, human_id=human_id)
    require(viewer, "advisory.edit", case)
    try:
        advisory: Advisory | None = advisory_for_case(viewer=viewer, human_id=human_id)
    except NotFound:
        advisory = None
    content = json.loads(advisory.content) if advisory is not None else {}
    return AdvisoryDesk(
        case=case,
        advisory=advisory,
        content=content if isinstance(content, dict) else {},
        # Step-up is asked when the form is sent, not here: the page may offer the action.
        may_publish=allowed(viewer, "advisory.publish", case),
        instant=disclosure_instant(case),
    )
