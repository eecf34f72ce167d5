"""The escalation ladder and the due dates, driven by the periodic job.

For a case whose maintainers were notified and have not answered:

1. ``acknowledge_business_days`` after notification, a reminder through every known contact
   (a ``ContactAttempt``), then one every ``reminder_every_days`` up to ``max_reminders``;
2. ``escalate_business_days`` after notification, SIRT escalation (``escalate``);
3. after ``abandoned_attempts`` unanswered attempts and ``abandoned_weeks`` since notification
   with no release in ``no_release_months`` — or at once when the project is marked archived
   or abandoned — a critical package (criticality ≥ threshold) enters SIRT stewardship.

Each rung is claimed by a unique row (``ContactAttempt`` number, ``LadderStep``) inside a
per-case transaction that locks the case, so running the job twice does nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from akrites.audit.services import audit_append
from akrites.cases.lifecycle import AWAITING_ACKNOWLEDGEMENT, DISCLOSURE_PENDING, FIX_PENDING
from akrites.cases.models import Case, Status, Visibility
from akrites.cases.services import case_transition, timeline_record
from akrites.confidentiality.ends import agreed_end, agreed_ends_reached
from akrites.core.actors import Actor, SystemActor
from akrites.core.clock import now
from akrites.projects.models import Project
from akrites.remediation.clocks import acknowledge_due, last_notified
from akrites.remediation.conf import (
    RemediationPolicy,
    add_business_days,
    months_before,
    remediation_policy,
)
from akrites.remediation.models import (
    CaseRemediation,
    ContactAttempt,
    LadderStep,
    ProjectStatus,
    ProjectTerms,
    StewardshipTrigger,
)
from akrites.remediation.services._common import logger, notify_event
from akrites.remediation.services.stewardship import stewardship_enter

LADDER = SystemActor("remediation.ladder")


@dataclass
class LadderResult:
    reminders: int = 0
    escalations: int = 0
    stewardships: int = 0
    due_dates: int = 0
    cases: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "reminders": self.reminders,
            "escalations": self.escalations,
            "stewardships": self.stewardships,
            "due_dates": self.due_dates,
        }


def criticality(project: Project, policy: RemediationPolicy) -> float:
    """The project's criticality score (read defensively: triage owns the field)."""
    value = getattr(project, policy.criticality_attribute, None)
    try:
        return float(value) if value is not None else policy.criticality_default
    except (TypeError, ValueError):
        return policy.criticality_default


def ladder_run(*, actor: Actor = LADDER) -> LadderResult:
    """Advance every unanswered case and every due date by one tick. Idempotent.

    Each case is handled in its own transaction, so one failing case does not hold back the
    others (it is logged by id and retried on the next tick).
    """
    result = LadderResult()
    unanswered = Case.objects.filter(status__in=AWAITING_ACKNOWLEDGEMENT)
    for case_id in unanswered.values_list("pk", flat=True):
        _guarded(case_id, lambda cid: ladder_advance(case_id=cid, actor=actor, result=result))
    for case_id in _due_case_ids():
        _guarded(case_id, lambda cid: due_dates_advance(case_id=cid, actor=actor, result=result))
    logger.info("remediation ladder tick: %s", result.as_dict())
    return result


def _guarded(case_id: int, work: Any) -> None:
    try:
        work(case_id)
    except Exception:
        logger.exception("remediation ladder failed for case %s", case_id)


def _due_case_ids() -> set[int]:
    at = now()
    overdue = CaseRemediation.objects.filter(
        target_fix_on__lt=at.date(), case__status__in=FIX_PENDING
    ).values_list("case_id", flat=True)
    disclosing = agreed_ends_reached(at=at, statuses=DISCLOSURE_PENDING)
    return set(overdue) | set(disclosing)


def _claim(case: Case, step: str, key: str = "") -> bool:
    """True the first time (case, step, key) is claimed; False ever after."""
    try:
        with transaction.atomic():
            LadderStep.objects.create(case=case, step=step, key=key, at=now())
    except IntegrityError:
        return False
    return True


def _locked(case_id: int, statuses: Collection[str]) -> Case | None:
    # SKIP LOCKED (PostgreSQL): a case another worker is advancing is left to it.
    return (
        Case.objects.select_for_update(skip_locked=True)
        .select_related("project")
        .filter(pk=case_id, status__in=statuses)
        .first()
    )


@transaction.atomic
def ladder_advance(
    *, case_id: int, actor: Actor = LADDER, result: LadderResult | None = None
) -> None:
    """Apply every rung now due to one unanswered case."""
    result = result if result is not None else LadderResult()
    case = _locked(case_id, AWAITING_ACKNOWLEDGEMENT)
    if case is None:
        return
    policy = remediation_policy()
    terms = ProjectTerms.objects.filter(project_id=case.project_id).first()
    score = criticality(case.project, policy)
    critical = score >= policy.criticality_threshold
    at = now()
    start = last_notified(case) or case.status_changed_at or at
    if terms is not None and terms.status != ProjectStatus.ACTIVE and critical:
        _to_stewardship(case, actor, StewardshipTrigger.ARCHIVED, score, terms, result)
        return
    attempts = list(ContactAttempt.objects.filter(case=case).order_by("number"))
    due = (
        attempts[-1].at + timedelta(days=policy.reminder_every_days)
        if attempts
        else acknowledge_due(start)
    )
    if len(attempts) < policy.max_reminders and at >= due:
        attempt = _remind(case, actor, len(attempts) + 1, terms)
        if attempt is not None:
            attempts.append(attempt)
            result.reminders += 1
    if case.status == Status.NOTIFIED and at >= add_business_days(
        start, policy.escalate_business_days
    ):
        case = case_transition(
            actor=actor,
            case=case,
            name="escalate",
            reason=f"no acknowledgement {policy.escalate_business_days} business days "
            "after notification",
        )
        result.escalations += 1
        result.cases.append(case.human_id)
    if case.status == Status.ESCALATED and _unreachable(policy, attempts, start, at, terms):
        if critical:
            _to_stewardship(case, actor, StewardshipTrigger.UNREACHABLE, score, terms, result)
        elif _claim(case, "stewardship_not_eligible"):
            timeline_record(
                case=case,
                actor=actor,
                kind="ladder",
                visibility=Visibility.SIRT,
                reason=f"Maintainers unreachable, but criticality {score:g} is below "
                f"{policy.criticality_threshold:g}: the case stays with the SIRT",
            )


def _unreachable(
    policy: RemediationPolicy,
    attempts: list[ContactAttempt],
    start: datetime,
    at: datetime,
    terms: ProjectTerms | None,
) -> bool:
    if len(attempts) < policy.abandoned_attempts:
        return False
    if at - start < timedelta(weeks=policy.abandoned_weeks):
        return False
    released = terms.last_release_on if terms else None
    if released is None and terms is not None:
        # The registry's maintenance signal (triage), when the terms do not say.
        release_at = getattr(terms.project, "last_release_at", None)
        released = release_at.date() if release_at is not None else None
    return released is None or released < months_before(at.date(), policy.no_release_months)


def contact_kinds(case: Case, terms: ProjectTerms | None) -> list[str]:
    """Every known way to reach the maintainers, by kind (never the addresses themselves):
    the platform inbox, the terms' channels and the registry's contacts."""
    kinds = ["platform"]
    if terms is not None:
        try:
            channels = json.loads(terms.contact_channels or "[]")
        except ValueError:
            channels = []
        kinds += [str(c.get("kind", "")) for c in channels if isinstance(c, dict)]
    contacts = getattr(case.project, "contacts", None)  # the registry (triage), if present
    if contacts is not None:
        for address, user_id in contacts.values_list("address", "user_id"):
            scheme = str(address).partition(":")[0] if address else ""
            kind = {"mailto": "email", "https": "url", "tel": "phone"}.get(scheme, "")
            kinds.append("platform" if user_id else kind)
    return list(dict.fromkeys(k for k in kinds if k))


def _remind(
    case: Case, actor: Actor, number: int, terms: ProjectTerms | None
) -> ContactAttempt | None:
    channels = contact_kinds(case, terms)
    try:
        with transaction.atomic():
            attempt = ContactAttempt.objects.create(
                case=case, number=number, at=now(), channels=channels
            )
    except IntegrityError:
        return None  # another run recorded this attempt
    delivered = notify_event(
        "remediation.reminder", case=case, actor=actor, data={"attempt": number}
    )
    if delivered:
        ContactAttempt.objects.filter(pk=attempt.pk).update(delivered=True)
        attempt.delivered = True
    timeline_record(
        case=case,
        actor=actor,
        kind="reminder",
        visibility=Visibility.MAINTAINERS,
        reason=f"Reminder {number}: please acknowledge the report "
        f"(through {', '.join(channels)}{'' if delivered else '; recorded only'})",
    )
    audit_append(
        actor=actor,
        action="remediation.remind",
        object_type="case",
        object_id=case.human_id,
        data={"attempt": number, "channels": channels, "delivered": delivered},
    )
    return attempt


def _to_stewardship(
    case: Case,
    actor: Actor,
    trigger: str,
    score: float,
    terms: ProjectTerms | None,
    result: LadderResult,
) -> None:
    if case.status == Status.NOTIFIED:
        case = case_transition(
            actor=actor,
            case=case,
            name="escalate",
            reason=f"the project is marked {terms.status if terms else 'inactive'}",
        )
        result.escalations += 1
    why = (
        f"the project is marked {terms.status if terms else 'inactive'}"
        if trigger == StewardshipTrigger.ARCHIVED
        else "the maintainers did not answer repeated contact attempts"
    )
    stewardship_enter(
        actor=actor,
        case=case,
        trigger=trigger,
        reason=f"The SIRT becomes maintainer of last resort: {why}; criticality {score:g}.",
    )
    result.stewardships += 1
    result.cases.append(case.human_id)


@transaction.atomic
def due_dates_advance(
    *, case_id: int, actor: Actor = LADDER, result: LadderResult | None = None
) -> None:
    """Record, once each, a passed target fix date and a reached disclosure date."""
    result = result if result is not None else LadderResult()
    case = _locked(case_id, DISCLOSURE_PENDING)
    if case is None:
        return
    record = CaseRemediation.objects.filter(case_id=case_id).first()
    at = now()
    fix_on = record.target_fix_on if record is not None else None
    if (
        fix_on is not None
        and fix_on < at.date()
        and case.status in FIX_PENDING
        and _claim(case, "fix_overdue", fix_on.isoformat())
    ):
        timeline_record(
            case=case,
            actor=actor,
            kind="fix_overdue",
            visibility=Visibility.MAINTAINERS,
            reason=f"The target fix date {fix_on:%Y-%m-%d} passed without a fix",
        )
        notify_event("remediation.fix_overdue", case=case, actor=actor, data={})
        audit_append(
            actor=actor,
            action="remediation.fix_overdue",
            object_type="case",
            object_id=case.human_id,
            data={"target_fix_on": fix_on.isoformat()},
        )
        result.due_dates += 1
    disclose_at = agreed_end(case)  # the embargo end the maintainers (or the SIRT) chose
    if (
        disclose_at is not None
        and disclose_at <= at
        and _claim(case, "disclosure_due", disclose_at.isoformat())
    ):
        timeline_record(
            case=case,
            actor=actor,
            kind="disclosure_due",
            visibility=Visibility.MAINTAINERS,
            reason=f"The agreed disclosure date {disclose_at:%Y-%m-%d %H:%M} UTC is reached",
        )
        notify_event("remediation.disclosure_due", case=case, actor=actor, data={})
        audit_append(
            actor=actor,
            action="remediation.disclosure_due",
            object_type="case",
            object_id=case.human_id,
            data={"disclosure_at": disclose_at.isoformat()},
        )
        result.due_dates += 1
