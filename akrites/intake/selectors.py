"""Reads for reports. A reporter sees their own reports and nothing of anyone else's."""

from __future__ import annotations

from typing import Any

from akrites.intake.models import Report


def report_list_own(*, viewer: Any, limit: int = 200) -> list[Report]:
    if not getattr(viewer, "is_authenticated", False):
        return []
    return list(
        Report.objects.filter(reporter=viewer)
        .select_related("case")
        .order_by("-created_at", "-id")[: max(1, min(limit, 1000))]
    )
