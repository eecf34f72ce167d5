"""The maintainers' acknowledgement clock and whether a case's dates are set: owned here.

The clock starts at the latest notification (the SIRT's ``notify_maintainers``, again after a
dispute was resumed) and is due ``acknowledge_business_days`` later; the acknowledgement that
follows meets it. The escalation ladder reminds on the same due date. Faces ask here — one
case or, for a list, in a fixed number of queries — and never read the timeline themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Max, Q

from akrites.cases.models import Case, Status, TimelineEntry
from akrites.cases.triage.clocks import ClockState
from akrites.confidentiality.ends import agreed_case_ids
from akrites.remediation.conf import add_business_days, remediation_policy

_NOTIFIED = Q(new_status=Status.NOTIFIED, kind="transition")


def last_notified(case: Case) -> datetime | None:
    """When the maintainers were (last) notified of ``case``, from its timeline."""
    entry = TimelineEntry.objects.filter(_NOTIFIED, case=case).order_by("-at", "-id").first()
    return entry.at if entry else None


def acknowledge_due(notified: datetime) -> datetime:
    """When an acknowledgement of a notification at ``notified`` is due (business days)."""
    return add_business_days(notified, remediation_policy().acknowledge_business_days)


def acknowledge_clocks(cases: Sequence[Case], *, at: datetime) -> dict[int, ClockState]:
    """Per case id, the acknowledgement clock of each case whose maintainers were notified
    (the others are absent), as of ``at``. One query."""
    rows = (
        TimelineEntry.objects.filter(case_id__in=[c.pk for c in cases])
        .filter(_NOTIFIED | Q(new_status=Status.ACKNOWLEDGED))
        .values("case_id")
        .annotate(
            notified=Max("at", filter=_NOTIFIED),
            acknowledged=Max("at", filter=Q(new_status=Status.ACKNOWLEDGED)),
        )
        .order_by()
    )
    clocks = {}
    for row in rows:
        notified, acked = row["notified"], row["acknowledged"]
        if notified is None:
            continue
        met = acked if acked is not None and acked >= notified else None
        clock = ClockState(
            "acknowledge", "Acknowledge", notified, acknowledge_due(notified), met, at
        )
        clocks[int(row["case_id"])] = clock
    return clocks


def dates_set(cases: Sequence[Case]) -> set[int]:
    """Ids of the cases with a target fix date or an agreed disclosure instant (the embargo
    end someone chose, ``confidentiality.ends``). One query."""
    dated = Q(remediation__target_fix_on__isnull=False) | Q(pk__in=agreed_case_ids())
    rows = Case.objects.filter(dated, pk__in=[c.pk for c in cases])
    return set(rows.values_list("pk", flat=True))
