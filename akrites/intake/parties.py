"""Reporters are parties to their reports' cases: what intake tells the policy.

Added to the policy's role sources and to the visible-cases query in ``IntakeConfig.ready``;
the policy asks them for a signed-in user only (``user_of`` would refuse anyone else, so an
anonymous report, whose reporter is empty, is never matched).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Q

from akrites.access.facts import CaseFacts
from akrites.access.roles import REPORTER
from akrites.accounts.actors import user_of
from akrites.core.actors import Actor
from akrites.intake.models import Report

_REPORTER = frozenset({REPORTER})


def reporter_roles(
    actor: Actor, cases: Sequence[Any], facts: Mapping[int, CaseFacts]
) -> dict[int, frozenset[str]]:
    """``reporter`` on every case of ``cases`` that holds one of ``actor``'s reports."""
    ids = [pk for pk in facts]
    reported = Report.objects.filter(case_id__in=ids, reporter=user_of(actor)).values_list(
        "case_id", flat=True
    )
    return {case_id: _REPORTER for case_id in set(reported) if case_id is not None}


def reported(actor: Actor) -> Q:
    """Cases holding one of ``actor``'s reports."""
    return Q(Exists(Report.objects.filter(case=OuterRef("pk"), reporter=user_of(actor))))
