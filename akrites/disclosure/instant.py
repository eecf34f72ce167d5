"""When may a case's advisory be published: ``disclosure_instant(case)``.

The case's embargo (``akrites.confidentiality`` ``Embargo``: its ``ends_at`` already reflects
extensions and two-person early lifts; before anyone sets a date, the policy's default embargo
counted from the maintainers' notification) is authoritative when there is one. Only a case
without an embargo falls back on ``Advisory.disclose_at``, the date the maintainers (or the
SIRT) chose — so the advisory's date cannot sidestep the embargo's own rules for lifting
early. The embargo model is looked up defensively (import inside ``try``, field checked by
name), so this app works with or without the confidentiality work installed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import FieldError

from akrites.cases.models import Case


def _embargo_end(case: Case) -> tuple[bool, datetime | None]:
    """(an embargo exists, its end)."""
    try:
        from akrites.confidentiality import models as access_models
    except ImportError:
        return False, None
    embargo_cls: Any = getattr(access_models, "Embargo", None)
    if embargo_cls is None:
        return False, None
    try:
        embargo = embargo_cls.objects.filter(case=case).first()
    except FieldError:  # shaped differently from what we expect: no embargo known
        return False, None
    if embargo is None:
        embargo = _policy_default(case)
    if embargo is None:
        return False, None
    ends_at = getattr(embargo, "ends_at", None)
    return True, ends_at if isinstance(ends_at, datetime) else None


def _policy_default(case: Case) -> Any:
    """The embargo the policy gives a notified case before anyone set a date (unsaved)."""
    try:
        from akrites.confidentiality.services.embargo import default_embargo
    except ImportError:
        return None
    return default_embargo(case)


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
