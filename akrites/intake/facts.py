"""Facts about reports that the layers below intake ask for (``cases.triage.reports``).

Provided in ``IntakeConfig.ready``; each is one query and reads identifiers only.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from akrites.cases.triage.reports import SentReport
from akrites.intake.models import Report


def sent_reports(*, case_ids: Collection[int]) -> list[SentReport]:
    rows = Report.objects.filter(case_id__in=case_ids, reporter__isnull=False).values_list(
        "case_id", "pk", "reporter_id"
    )
    return [SentReport(case_id=c, report_id=r, sender_id=u) for c, r, u in rows]


def sender_report_count(*, user_id: int, since: datetime) -> int:
    return Report.objects.filter(reporter_id=user_id, created_at__gt=since).count()
