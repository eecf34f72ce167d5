"""Reporters are parties to their reports' cases: what intake tells the policy.

Added to the policy's role sources and to the visible-cases query in ``IntakeConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Q

from akrites.access.facts import CaseFacts
from akrites.access.roles import REPORTER
from akrites.intake.models import Report

_REPORTER = frozenset({REPORTER})


def reporter_roles(
    actor: Any, cases: Sequence[Any], facts: Mapping[int, CaseFacts]
) -> dict[int, frozenset[str]]:
    """``reporter`` on every case of ``cases`` that holds one of ``actor``'s reports."""
    ids = [pk for pk in facts]
    reported = Report.objects.filter(case_id__in=ids, reporter=actor).values_list(
        "case_id", flat=True
    )
    return {case_id: _REPORTER for case_id in set(reported) if case_id is not None}


def reported(actor: Any) -> Q:
    """Cases holding one of ``actor``'s reports."""
    return Q(Exists(Report.objects.filter(case=OuterRef("pk"), reporter=actor)))
