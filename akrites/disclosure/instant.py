"""When may a case's advisory be published: ``disclosure_instant(case)``.

The instant is the case's embargo end, asked of its one owner (``confidentiality.ends``: the
stored end already reflects the chosen date, extensions and two-person early lifts; before
anyone sets a date, the policy's default counted from the maintainers' notification). Only a
case without an embargo — its maintainers never notified — falls back on
``Advisory.disclose_at``, the date the SIRT chose for it; once the embargo starts, that date
no longer counts, so the advisory's date cannot sidestep the embargo's own rules.
"""

from __future__ import annotations

from datetime import datetime

from akrites.cases.models import Case
from akrites.confidentiality.ends import embargo_end


def has_embargo(case: Case) -> bool:
    return embargo_end(case) is not None


def disclosure_instant(case: Case) -> datetime | None:
    """The instant from which the advisory of ``case`` may be public, or None if unknown.

    A case already disclosed (``break_embargo``) may publish at once: callers check the case
    status first.
    """
    from akrites.disclosure.models import Advisory

    ends_at = embargo_end(case)
    if ends_at is not None:
        return ends_at
    explicit: datetime | None = (
        Advisory.objects.filter(case=case).values_list("disclose_at", flat=True).first()
    )
    return explicit
