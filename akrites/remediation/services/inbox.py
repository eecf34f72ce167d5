"""The maintainers' inbox actions: acknowledge, dispute, dates, co-maintainers, statements.

Each service checks permission first, validates everything before writing (all or nothing),
and records its decision in the timeline and the audit chain in one transaction. Lifecycle
moves go through ``cases.services.case_transition``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from akrites.access.policy import MAINTAINER, case_roles, require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import audit_append
from akrites.cases.lifecycle import IN_REMEDIATION
from akrites.cases.models import Case, ParticipantRole, Visibility
from akrites.cases.services import case_transition, participant_add, timeline_record
from akrites.confidentiality.ends import agreed_end
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput
from akrites.projects.models import Package
from akrites.remediation.clocks import last_notified
from akrites.remediation.embargo import embargo_set_disclosure
from akrites.remediation.models import (
    CaseRemediation,
    DisputeOutcome,
    ProjectTerms,
    VersionStatement,
    VexJustification,
    VexStatus,
)
from akrites.remediation.services._common import (
    label,
    lock_case,
    remediation_for,
)
from akrites.remediation.vers import canonical_vers

MAX_TEXT = 10_000


def _text(field: str, value: str, *, required: bool = False, message: str = "") -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(field, message or "required")
    if len(value) > MAX_TEXT:
        raise InvalidInput(field, f"at most {MAX_TEXT} characters")
    return value


@transaction.atomic
def remediation_acknowledge(*, actor: Actor, case: Case, reason: str = "") -> Case:
    """The maintainers confirm receipt (``acknowledge``); stops the escalation ladder."""
    require(actor, "case.acknowledge", case)
    return case_transition(actor=actor, case=case, name="acknowledge", reason=reason)


@transaction.atomic
def remediation_dispute(*, actor: Actor, case: Case, outcome: str, reason: str) -> CaseRemediation:
    """Dispute the case with an explicit outcome and a reason (``dispute``).

    Raises InvalidInput for an unknown outcome or a missing reason, Conflict when the case
    cannot be disputed from its status; nothing changes then.
    """
    require(actor, "case.acknowledge", case)
    if outcome not in DisputeOutcome.values:
        raise InvalidInput("outcome", f"one of {', '.join(DisputeOutcome.values)}")
    reason = _text("reason", reason, required=True, message="a dispute needs a reason")
    shown = f"{DisputeOutcome(outcome).label}: {reason}"
    case_transition(actor=actor, case=case, name="dispute", reason=shown)
    record = remediation_for(case)
    record.dispute_outcome = outcome
    record.dispute_reason = reason
    record.updated_at = now()
    record.save(update_fields=["dispute_outcome", "dispute_reason", "updated_at"])
    audit_append(
        actor=actor,
        action="remediation.dispute",
        object_type="case",
        object_id=case.human_id,
        data={"outcome": outcome},
    )
    return record


@transaction.atomic
def remediation_set_dates(
    *,
    actor: Actor,
    case: Case,
    target_fix_on: date | None = None,
    disclosure_at: datetime | None = None,
    approve_exception: bool = False,
    reason: str = "",
) -> CaseRemediation:
    """Set the target fix date and/or the disclosure instant, within policy.

    The disclosure instant must be in the future and on or after the target fix date; when
    the SIRT sets it, it also stays within the maintainers' embargo tolerance. The instant is
    the case's embargo end, kept by ``akrites.confidentiality`` and set through its services
    (its policy limit and weekend rule apply); beyond the limit, ``approve_exception`` with a
    reason files an extension request that another SIRT member decides. Raises InvalidInput /
    PermissionDenied / Conflict; nothing changes then.
    """
    require(actor, "remediation.set_dates", case)
    locked = lock_case(case)
    if locked.status not in IN_REMEDIATION:  # from acceptance until the fix is ready
        raise Conflict(f"dates cannot be set on a case that is {locked.status}")
    if target_fix_on is None and disclosure_at is None:
        raise InvalidInput("disclosure_at", "give a target fix date, a disclosure date or both")
    reason = _text("reason", reason)
    at = now()
    if target_fix_on is not None and target_fix_on < at.date():
        raise InvalidInput("target_fix_on", "must not be in the past")
    requested = False
    if disclosure_at is not None:
        _check_disclosure(actor, locked, disclosure_at, target_fix_on, at)
        requested = embargo_set_disclosure(
            actor=actor,
            case=locked,
            at=disclosure_at,
            request_exception=approve_exception,
            reason=reason,
        )
    disclose = agreed_end(locked)  # as it stands now (a requested extension is pending)
    record = remediation_for(locked)
    if target_fix_on is not None:
        record.target_fix_on = target_fix_on
    if record.target_fix_on and disclose and record.target_fix_on > disclose.date():
        raise InvalidInput("target_fix_on", "must be on or before the disclosure date")
    record.dates_set_by = user_or_none(actor)
    record.updated_at = at
    record.save()
    shown = _dates_text(record.target_fix_on, disclose)
    if requested and disclosure_at is not None:
        shown += f"; extension to {disclosure_at:%Y-%m-%d %H:%M} UTC requested: {reason}"
    timeline_record(
        case=locked, actor=actor, kind="dates", visibility=Visibility.PARTICIPANTS, reason=shown
    )
    audit_append(
        actor=actor,
        action="remediation.set_dates",
        object_type="case",
        object_id=locked.human_id,
        data={
            "target_fix_on": record.target_fix_on.isoformat() if record.target_fix_on else None,
            "disclosure_at": disclose.isoformat() if disclose else None,
            "extension_requested": requested,
        },
    )
    return record


def _check_disclosure(
    actor: Actor, case: Case, disclosure_at: datetime, target_fix_on: date | None, at: datetime
) -> None:
    """What remediation asks of a disclosure instant before the embargo's own rules."""
    if timezone.is_naive(disclosure_at):
        raise InvalidInput("disclosure_at", "give an instant with a time zone (UTC offset)")
    if disclosure_at <= at:
        raise InvalidInput("disclosure_at", "must be in the future")
    if target_fix_on is not None and target_fix_on > disclosure_at.date():
        raise InvalidInput("target_fix_on", "must be on or before the disclosure date")
    start = last_notified(case) or at
    terms = ProjectTerms.objects.filter(project_id=case.project_id).first()
    tolerance = terms.embargo_max_days if terms else None
    if (
        tolerance
        and MAINTAINER not in case_roles(actor, case)
        and disclosure_at > start + timedelta(days=tolerance)
    ):
        raise InvalidInput(
            "disclosure_at", f"beyond the maintainers' embargo tolerance of {tolerance} days"
        )


def _dates_text(target_fix_on: date | None, disclosure_at: datetime | None) -> str:
    parts = []
    if target_fix_on:
        parts.append(f"target fix {target_fix_on:%Y-%m-%d}")
    if disclosure_at:
        parts.append(f"disclosure {disclosure_at:%Y-%m-%d %H:%M} UTC")
    return "Dates set: " + ", ".join(parts)


@transaction.atomic
def comaintainer_invite(*, actor: Actor, case: Case, username: str) -> Any:
    """Give another user the maintainer role on this case (a case participant)."""
    require(actor, "case.add_participant", case)
    from akrites.accounts.models import User

    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise InvalidInput("username", "no active user with this name")
    participant = participant_add(
        actor=actor, case=case, user=user, role=ParticipantRole.MAINTAINER
    )
    timeline_record(
        case=case,
        actor=actor,
        kind="co_maintainer",
        visibility=Visibility.MAINTAINERS,
        reason=f"{user.get_username()} invited as co-maintainer",
    )
    return participant


@transaction.atomic
def statement_set(
    *,
    actor: Actor,
    case: Case,
    purl: str,
    version_range: str,
    status: str,
    justification: str = "",
    impact_statement: str = "",
    action_statement: str = "",
) -> VersionStatement:
    """State the status of one package version range (OpenVEX vocabulary).

    ``not_affected`` needs a justification (or an impact statement), which only it may carry;
    ``affected`` needs an action statement. The package must belong to the case's project and
    the range be a valid ``vers``. A statement for the same range replaces the earlier one.
    """
    require(actor, "remediation.statement", case)
    package = _case_package(case, purl)
    canonical_range = _vers(version_range)
    if status not in VexStatus.values:
        raise InvalidInput("status", f"one of {', '.join(VexStatus.values)}")
    justification = justification.strip()
    impact_statement = _text("impact_statement", impact_statement)
    action_statement = _text("action_statement", action_statement)
    if justification and justification not in VexJustification.values:
        raise InvalidInput("justification", f"one of {', '.join(VexJustification.values)}")
    if status == VexStatus.NOT_AFFECTED and not (justification or impact_statement):
        raise InvalidInput("justification", "not_affected needs a justification")
    if status != VexStatus.NOT_AFFECTED and justification:
        raise InvalidInput("justification", "only a not_affected statement has a justification")
    if status == VexStatus.AFFECTED and not action_statement:
        raise InvalidInput("action_statement", "an affected statement says what users should do")
    statement, _ = VersionStatement.objects.update_or_create(
        case=case,
        package=package,
        version_range=canonical_range,
        defaults={
            "status": status,
            "justification": justification,
            "impact_statement": impact_statement,
            "action_statement": action_statement,
            "author": user_or_none(actor),
            "author_label": label(actor),
            "updated_at": now(),
        },
    )
    timeline_record(
        case=case,
        actor=actor,
        kind="statement",
        visibility=Visibility.PARTICIPANTS,
        reason=f"{package.purl} {canonical_range}: {status}"
        + (f" ({justification})" if justification else ""),
    )
    audit_append(
        actor=actor,
        action="remediation.statement",
        object_type="case",
        object_id=case.human_id,
        data={"package": package.purl, "range": canonical_range, "status": status},
    )
    return statement


def _case_package(case: Case, purl: str) -> Package:
    purl = purl.strip()
    if not purl and case.package_id is not None:
        return Package.objects.get(pk=case.package_id)
    from akrites.projects.services import normalise_purl

    canonical = normalise_purl(purl).to_string()
    package = Package.objects.filter(project_id=case.project_id, purl=canonical).first()
    if package is None:
        raise InvalidInput("purl", "not a package of this case's project")
    return package


def _vers(value: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput("version_range", "required (a vers range, e.g. vers:pypi/<1.2.3)")
    return canonical_vers(value, field="version_range")
