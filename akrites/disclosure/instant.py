"""When may a case's advisory be published: ``disclosure_instant(case)``.

The case's embargo (``akrites.confidentiality`` ``Embargo``: its ``ends_at`` already reflects
extensions and two-person early lifts; before anyone sets a date, the policy's default embargo
counted from the maintainers' notification) is authoritative when there is one. Only a case
without an embargo falls back on ``Advisory.disclose_at``, the date the maintainers (or the
SIRT) chose — so the advisory's date cannot sidestep the embargo's own rules for lifting
early.
"""

from __future__ import annotations

from datetime import datetime

from akrites.cases.models import Case
from akrites.confidentiality.models import Embargo
from akrites.confidentiality.services.embargo import default_embargo


def _embargo_end(case: Case) -> tuple[bool, datetime | None]:
    """(an embargo exists — stored, or the policy's default once notified —, its end)."""
    embargo = Embargo.objects.filter(case=case).first() or default_embargo(case)
    if embargo is None:
        return False, None
    return True, embargo.ends_at


def has_embargo(case: Case) -> bool:
    return _embargo_end(case)[0]


def disclosure_instant(case: Case) -> datetime | None:
    """The instant from which the advisory of ``case`` may be public, or None if unknown.

    A case already disclosed (``break_embargo``) may publish at once: callers check the case
    status first.
    """
    from akrites.disclosure.models import Advisory

    has_embargo, ends_at = _embargo_end(case)
    if has_embargo:
        return ends_at
    explicit: datetime | None = (
        Advisory.objects.filter(case=case).values_list("disclose_at", flat=True).first()
    )
    return explicit
