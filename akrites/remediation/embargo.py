"""The disclosure date is the case's embargo end, kept by ``akrites.confidentiality``.

Confidentiality owns the embargo (one instant per case, its policy limit, weekend rules and
the two-person extension flow); remediation sets the maintainers' chosen date through its
services, so there is one disclosure instant and one policy.
"""

from __future__ import annotations

from datetime import datetime

from akrites.cases.models import Case
from akrites.confidentiality.services import embargo_request_extension, embargo_set_date
from akrites.core.actors import Actor
from akrites.core.errors import InvalidInput


def embargo_set_disclosure(
    *, actor: Actor, case: Case, at: datetime, request_exception: bool, reason: str
) -> bool:
    """Set the embargo end to ``at``, or ask for an extension beyond the policy limit.

    Returns True when an extension was requested (pending: another SIRT member decides),
    False when the date is set. Refusals are InvalidInput on ``disclosure_at``.
    """
    try:
        if request_exception:
            if not reason:
                raise InvalidInput("reason", "an exception to the disclosure policy needs a reason")
            embargo_request_extension(actor=actor, case=case, until=at, reason=reason)
            return True
        embargo_set_date(actor=actor, case=case, ends_at=at)
    except InvalidInput as exc:
        if exc.field == "reason":
            raise
        raise InvalidInput("disclosure_at", exc.message) from None
    return False
