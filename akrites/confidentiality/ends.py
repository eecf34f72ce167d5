"""The embargo end of a case: the one stored "may be public at" of the platform.

``Embargo.ends_at`` is the only stored instant from which a case may be public; it already
reflects the maintainers' chosen date, approved extensions, the exploited limit and two-person
early lifts. Before anything is stored, the embargo is the policy default counted from when the
maintainers were notified; before that, there is none. Other apps ask here — for one case or,
for a list, in a fixed number of queries — and never read ``Embargo`` themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from akrites.cases.lifecycle import PUBLISHED
from akrites.cases.models import Case, Status, TimelineEntry
from akrites.confidentiality.models import Embargo


def policy_days(*, exploited: bool) -> int:
    if exploited:
        return int(settings.AKRITES_EMBARGO_EXPLOITED_DAYS)
    return int(settings.AKRITES_EMBARGO_DAYS)


def before_weekend(instant: datetime) -> datetime:
    """The same time on the last weekday at or before ``instant`` (UTC)."""
    while settings.AKRITES_EMBARGO_AVOID_WEEKENDS and instant.weekday() >= 5:
        instant -= timedelta(days=1)
    return instant


def default_end(start: datetime, *, exploited: bool) -> datetime:
    """The policy's embargo end for an embargo that starts at ``start`` (never a weekend)."""
    return before_weekend(start + timedelta(days=policy_days(exploited=exploited)))


def embargo_starts(cases: Sequence[Case]) -> dict[int, datetime | None]:
    """Per case id, when its embargo started: when the SIRT notified the maintainers.

    That is ``Case.maintainers_notified_at`` (cases owns when the maintainers were told), with
    one exception: for a case disclosed before anyone notified the maintainers, that field is
    the disclosure, and no embargo ever ran. So a published case counts only if its timeline
    has a notification (one query, only when such cases are in the list).
    """
    starts = {c.pk: c.maintainers_notified_at for c in cases}
    published = [c.pk for c in cases if c.status in PUBLISHED and starts[c.pk] is not None]
    if published:
        notified = set(
            TimelineEntry.objects.filter(case_id__in=published, new_status=Status.NOTIFIED)
            .values_list("case_id", flat=True)
            .distinct()
        )
        starts.update({pk: None for pk in published if pk not in notified})
    return starts


def embargo_start(case: Case) -> datetime | None:
    return embargo_starts([case])[case.pk]


def default_embargo(case: Case, *, exploited: bool = False) -> Embargo | None:
    """The embargo the policy gives ``case`` (unsaved), or None before notification."""
    # Triage records exploitation evidence on the case; it shortens the default.
    exploited = exploited or case.known_exploited
    start = embargo_start(case)
    if start is None:
        return None
    return Embargo(
        case=case,
        starts_at=start,
        ends_at=default_end(start, exploited=exploited),
        limit_at=start + timedelta(days=policy_days(exploited=exploited)),
        exploited=exploited,
    )


def embargo_ends(cases: Sequence[Case]) -> dict[int, datetime | None]:
    """Per case id: the stored embargo end, else the policy default once the maintainers were
    notified, else None (no embargo). One query, two when published cases without a stored
    embargo are in the list."""
    stored = dict(
        Embargo.objects.filter(case_id__in=[c.pk for c in cases]).values_list("case_id", "ends_at")
    )
    starts = embargo_starts([c for c in cases if c.pk not in stored])
    ends: dict[int, datetime | None] = {}
    for case in cases:
        start = starts.get(case.pk)
        if case.pk in stored:
            ends[case.pk] = stored[case.pk]
        elif start is not None:
            ends[case.pk] = default_end(start, exploited=case.known_exploited)
        else:
            ends[case.pk] = None
    return ends


def embargo_end(case: Case) -> datetime | None:
    """The instant from which ``case`` may be public, or None while it has no embargo."""
    return embargo_ends([case])[case.pk]


def agreed_ends(case_ids: Iterable[int]) -> dict[int, datetime]:
    """Per case id, the embargo end someone chose (``embargo_set_date``: the maintainers, or
    the SIRT within their tolerance), as it stands now; cases on the policy default are
    absent. One query."""
    rows = Embargo.objects.filter(case_id__in=list(case_ids), chosen_at__isnull=False)
    return dict(rows.values_list("case_id", "ends_at"))


def agreed_case_ids() -> QuerySet[Embargo, int]:
    """The ids of the cases whose embargo end someone chose, lazily: a subquery for a caller's
    own query (no query of its own)."""
    return Embargo.objects.filter(chosen_at__isnull=False).values_list("case_id", flat=True)


def agreed_end(case: Case) -> datetime | None:
    return agreed_ends([case.pk]).get(case.pk)


def agreed_ends_reached(*, at: datetime, statuses: Collection[str]) -> list[int]:
    """Ids of the cases in ``statuses`` whose chosen embargo end is at or before ``at``."""
    rows = Embargo.objects.filter(
        chosen_at__isnull=False, ends_at__lte=at, case__status__in=list(statuses)
    )
    return list(rows.values_list("case_id", flat=True))
