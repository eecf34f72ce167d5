"""Triage writes: claim, release, severity assessment, exploitation, CRA reports, spam,
sender quotas, and the periodic breach recorder.

Each service runs in one transaction, checks the policy first, and records the change in
the case timeline (where it concerns a case) and the audit chain.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from akrites.access.policy import require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import audit_append
from akrites.cases.lifecycle import SET_ASIDE
from akrites.cases.models import Case, Status, TimelineEntry, Visibility
from akrites.cases.services.create import _label
from akrites.cases.services.transitions import MAX_REASON, case_transition
from akrites.cases.triage.assessed import severity_assessed
from akrites.cases.triage.clocks import case_clocks
from akrites.cases.triage.hooks import outcomes_record
from akrites.cases.triage.models import ClockBreach, Outcome, SenderQuota
from akrites.cases.triage.severity import cwe_name, parse_cvss
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput, NotFound

logger = logging.getLogger(__name__)

CRA_REPORTS: dict[str, str] = {
    "early_warning": "cra_early_warning_at",
    "notification": "cra_notification_at",
    "final_report": "cra_final_report_at",
}
# Cases older than this are not rescanned for SLA breaches unless still in triage.
BREACH_SCAN_WINDOW = timedelta(days=30)


def _locked(case: Case) -> Case:
    try:
        return Case.objects.select_for_update().select_related("project").get(pk=case.pk)
    except Case.DoesNotExist:
        raise NotFound() from None


def _reason(reason: str, *, required: bool) -> str:
    reason = reason.strip()
    if required and not reason:
        raise InvalidInput("reason", "a reason is required")
    if len(reason) > MAX_REASON:
        raise InvalidInput("reason", f"at most {MAX_REASON} characters")
    return reason


def _timeline(actor: Actor, case: Case, kind: str, reason: str, visibility: str) -> None:
    TimelineEntry.objects.create(
        case=case,
        at=now(),
        actor=user_or_none(actor),
        actor_label=_label(actor),
        kind=kind,
        reason=reason,
        visibility=visibility,
    )


def _audit(actor: Actor, case: Case, action: str, data: dict[str, Any]) -> None:
    audit_append(actor=actor, action=action, object_type="case", object_id=case.human_id, data=data)


@transaction.atomic
def case_claim(*, actor: Actor, case: Case) -> Case:
    """Make ``actor`` the one coordinator working ``case``.

    The claim is a single conditional UPDATE (``… WHERE claimed_by IS NULL``): of two
    coordinators claiming at once, exactly one row update succeeds. Claiming a case one
    already holds is a no-op. Raises Conflict when someone else holds it. The first claim
    counts as the first human response (SLA acknowledge).
    """
    require(actor, "case.claim", case)
    user = user_or_none(actor)
    if user is None:
        raise InvalidInput("actor", "only a signed-in coordinator can claim a case")
    at = now()
    taken = Case.objects.filter(pk=case.pk, claimed_by__isnull=True).update(
        claimed_by=user, claimed_at=at
    )
    if not taken:
        holder = Case.objects.filter(pk=case.pk).values_list("claimed_by_id", flat=True).first()
        if holder == actor.pk:
            return Case.objects.get(pk=case.pk)
        raise Conflict("this case is already claimed by another coordinator")
    Case.objects.filter(pk=case.pk, responded_at__isnull=True).update(responded_at=at)
    _timeline(actor, case, "claimed", "", Visibility.SIRT)
    _audit(actor, case, "case.claim", {})
    logger.info("case claimed case=%s user=%s", case.human_id, actor.pk)
    return Case.objects.get(pk=case.pk)


@transaction.atomic
def case_release(*, actor: Actor, case: Case) -> Case:
    """Give up a claim. Only the holder may, or a SIRT lead (``case.release_any``).

    Raises Conflict when the case is not claimed.
    """
    require(actor, "case.claim", case)
    holder = Case.objects.filter(pk=case.pk).values_list("claimed_by_id", flat=True).first()
    if holder is None:
        raise Conflict("this case is not claimed")
    if holder != actor.pk:
        require(actor, "case.release_any", case)
    released = Case.objects.filter(pk=case.pk, claimed_by_id=holder).update(
        claimed_by=None, claimed_at=None
    )
    if not released:
        raise Conflict("the claim changed meanwhile; reload")
    _timeline(actor, case, "released", "", Visibility.SIRT)
    _audit(actor, case, "case.release", {"holder": holder})
    return Case.objects.get(pk=case.pk)


@transaction.atomic
def case_severity_assess(
    *, actor: Actor, case: Case, vector: str = "", cwe: str = "", reason: str
) -> Case:
    """Record the SIRT's severity: a CVSS 3.1/4.0 vector and/or a CWE id, with a reason.

    The reporter's proposal is never touched; the case's draft advisory takes the new values
    (``assessed.severity_assessed``). Raises InvalidInput (``vector``, ``cwe``,
    ``reason``) before anything is written.
    """
    require(actor, "case.assess", case)
    locked = _locked(case)
    reason = _reason(reason, required=True)
    if not vector.strip() and not cwe.strip():
        raise InvalidInput("vector", "give a CVSS vector, a CWE id, or both")
    severity = parse_cvss(vector) if vector.strip() else None
    cwe_id = cwe_name(cwe)[0] if cwe.strip() else ""
    at = now()
    previous = (locked.assessed_cvss, locked.assessed_cwe)
    if severity is not None:
        locked.assessed_cvss = severity.vector
        locked.assessed_cvss_score = severity.score
    if cwe_id:
        locked.assessed_cwe = cwe_id
    locked.assessed_by = user_or_none(actor)
    locked.assessed_at = at
    locked.updated_at = at
    locked.save(
        update_fields=[
            "assessed_cvss",
            "assessed_cvss_score",
            "assessed_cwe",
            "assessed_by",
            "assessed_at",
            "updated_at",
        ]
    )
    # The case's draft advisory, if any, states the assessment too.
    severity_assessed(actor=actor, case=locked, previous_cvss=previous[0], previous_cwe=previous[1])
    _timeline(actor, locked, "severity_assessed", reason, Visibility.MAINTAINERS)
    _audit(
        actor,
        locked,
        "case.assess_severity",
        {
            "vector": locked.assessed_cvss,
            "score": str(locked.assessed_cvss_score or ""),
            "cwe": locked.assessed_cwe,
        },
    )
    return locked


@transaction.atomic
def case_exploitation_set(*, actor: Actor, case: Case, known_exploited: bool, reason: str) -> Case:
    """Mark or unmark ``case`` as known exploited, with the evidence as reason.

    The first marking stamps ``exploited_at`` (awareness), which starts the EU CRA clocks;
    unmarking stops them but keeps the instant, so marking again does not restart them.
    """
    require(actor, "case.assess", case)
    locked = _locked(case)
    reason = _reason(reason, required=True)
    if locked.known_exploited == known_exploited:
        raise Conflict("the case is already marked so")
    at = now()
    locked.known_exploited = known_exploited
    if known_exploited and locked.exploited_at is None:
        locked.exploited_at = at
    locked.updated_at = at
    locked.save(update_fields=["known_exploited", "exploited_at", "updated_at"])
    kind = "marked_exploited" if known_exploited else "unmarked_exploited"
    _timeline(actor, locked, kind, reason, Visibility.MAINTAINERS)
    _audit(actor, locked, "case.set_exploited", {"known_exploited": known_exploited})
    return locked


@transaction.atomic
def case_cra_report_record(*, actor: Actor, case: Case, report: str, reason: str = "") -> Case:
    """Record that an EU CRA report (``early_warning``, ``notification``, ``final_report``)
    was filed, which stops its clock. Raises InvalidInput for an unknown report, Conflict
    when the case is not known exploited, no fix is ready (final report) or it was filed."""
    require(actor, "case.report_cra", case)
    locked = _locked(case)
    field = CRA_REPORTS.get(report)
    if field is None:
        raise InvalidInput("report", f"one of {', '.join(CRA_REPORTS)}")
    reason = _reason(reason, required=False)
    if not locked.known_exploited:
        raise Conflict("EU CRA reports apply to known exploited cases only")
    if report == "final_report" and locked.fix_ready_at is None:
        raise Conflict("the final report is due after a fix is ready")
    if getattr(locked, field) is not None:
        raise Conflict("this report was already recorded")
    setattr(locked, field, now())
    locked.save(update_fields=[field])
    _timeline(actor, locked, f"cra_{report}", reason, Visibility.SIRT)
    _audit(actor, locked, "case.cra_report", {"report": report})
    return locked


@transaction.atomic
def case_reject_as_spam(*, actor: Actor, case: Case, reason: str) -> Case:
    """Reject ``case`` (the ordinary ``reject`` transition) and count it as spam against
    its senders' signal instead of merely invalid."""
    updated = case_transition(actor=actor, case=case, name="reject", reason=reason)
    outcomes_record(case=updated, outcome=Outcome.SPAM, at=now())
    _audit(actor, updated, "case.mark_spam", {})
    return updated


@transaction.atomic
def sender_quota_set(*, actor: Actor, user: Any, daily_limit: int, reason: str) -> SenderQuota:
    """Set a sender's daily report budget (before signal scaling). SIRT lead only."""
    require(actor, "sender.set_quota")
    reason = _reason(reason, required=True)
    if daily_limit < 0 or daily_limit > 1_000_000:
        raise InvalidInput("daily_limit", "between 0 (no daily budget) and 1000000")
    quota, _ = SenderQuota.objects.update_or_create(
        user=user,
        defaults={
            "daily_limit": daily_limit,
            "updated_at": now(),
            "updated_by": user_or_none(actor),
        },
    )
    audit_append(
        actor=actor,
        action="sender.set_quota",
        object_type="user",
        object_id=str(user.pk),
        data={"daily_limit": daily_limit},
    )
    return quota


@transaction.atomic
def clock_breaches_record(*, actor: Actor) -> list[ClockBreach]:
    """Record every clock now past due (or met late) that is not recorded yet.

    Idempotent: at most one row per (case, clock); a second run records nothing new.
    Scans cases in triage, known exploited open cases, and cases opened within
    ``BREACH_SCAN_WINDOW``. Returns the rows recorded by this run.
    """
    require(actor, "clocks.record")
    at = now()
    done = SET_ASIDE | {Status.CLOSED}  # nothing more will happen to these
    candidates = Case.objects.filter(
        Q(status=Status.TRIAGE)
        | (Q(known_exploited=True) & ~Q(status__in=done))
        | Q(created_at__gte=at - BREACH_SCAN_WINDOW)
    ).order_by("id")
    recorded = set(ClockBreach.objects.filter(case__in=candidates).values_list("case_id", "kind"))
    new: list[ClockBreach] = []
    for case in candidates:
        for clock in case_clocks(case, at=at):
            if clock.breached and (case.pk, clock.kind) not in recorded:
                new.append(
                    ClockBreach(case=case, kind=clock.kind, due_at=clock.due_at, recorded_at=at)
                )
    if not new:
        return []
    ClockBreach.objects.bulk_create(new, ignore_conflicts=True)
    audit_append(
        actor=actor,
        action="clocks.breaches_recorded",
        object_type="clock",
        object_id=at.isoformat(),
        data={"breaches": [{"case": b.case.human_id, "clock": b.kind} for b in new]},
    )
    logger.info("clock breaches recorded count=%d", len(new))
    return new
