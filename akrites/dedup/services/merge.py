"""SIRT corrections: split a report out of its case, merge two cases; each is a labelled pair.

Both services lock the cases they change, check ``case.triage`` (SIRT only) before anything
else, and record timeline entries, audit entries and a ``DedupLabel`` in one transaction.
Credit order is arrival order: the first finder of a case keeps ``credit_rank`` 1, later
finders follow and take part as co-reporters (who see the case status only, by policy). A
merge ranks the finders of both cases by arrival and offers the merged-in finders credit in
the surviving case's draft advisory (``intake.hooks.finders_joined``).
"""

from __future__ import annotations

from django.db import transaction

from akrites.access.policy import require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import AuditEvent, actor_fields, audit_append_many
from akrites.cases.models import Case, CaseParticipant, ParticipantRole, Status
from akrites.cases.models import Visibility as V
from akrites.cases.services.create import case_open
from akrites.cases.services.timeline import timeline_record
from akrites.cases.services.transitions import MAX_REASON, case_mark_duplicate
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput, NotFound
from akrites.dedup.models import DedupEntry, DedupLabel, Label
from akrites.intake.hooks import finders_joined, finders_left
from akrites.intake.models import Report, ReportStatus


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason", "say why (it becomes calibration data)")
    if len(reason) > MAX_REASON:
        raise InvalidInput("reason", f"at most {MAX_REASON} characters")
    return reason


def _locked(case: Case) -> Case:
    try:
        return Case.objects.select_for_update().select_related("project").get(pk=case.pk)
    except Case.DoesNotExist:
        raise NotFound() from None


def _timeline(actor: Actor, case: Case, kind: str, reason: str) -> None:
    # SIRT only: the reason is the SIRT's triage judgement (calibration data), and the
    # other case may be one the maintainers of this one do not see.
    timeline_record(actor=actor, case=case, kind=kind, visibility=V.SIRT, reason=reason)


def _label(actor: Actor, a: str, b: str, label: str, reason: str) -> DedupLabel:
    return DedupLabel.objects.create(key_a=a, key_b=b, label=label, actor=user_or_none(actor),
                                     actor_label=actor_fields(actor)[1], reason=reason)  # fmt: skip


def _rerank(case: Case) -> list[Report]:
    """Renumber credit in arrival order (the first finder first); returns the reports."""
    reports = list(case.reports.order_by("created_at", "id"))
    for rank, report in enumerate(reports, start=1):
        report.credit_rank = rank
    Report.objects.bulk_update(reports, ["credit_rank"])
    return reports


def _add_reporters(case: Case, reports: list[Report], actor: Actor) -> None:
    users = {r.reporter_id for r in reports if r.reporter_id is not None}
    by = user_or_none(actor)
    CaseParticipant.objects.bulk_create(
        [CaseParticipant(case=case, user_id=u, role=ParticipantRole.REPORTER, added_by=by)
         for u in users],
        ignore_conflicts=True,
    )  # fmt: skip


@transaction.atomic
def report_split(*, actor: Actor, report: Report, reason: str) -> Case:
    """Move ``report`` out of its case into a new case in triage; label the pair "not duplicate".
    Its finder is no longer credited in the old case's draft advisory (``finders_left``).

    The pair is the report and the report dedup matched it with (else the case's first
    report). Raises NotFound (report without a case, or a case the actor may not see),
    PermissionDenied (not SIRT), Conflict (the report is its case's only report),
    InvalidInput (no reason).
    """
    if report.case_id is None:
        raise NotFound()
    old = _locked(report.case)  # type: ignore[arg-type]
    require(actor, "case.triage", old)
    reason = _reason(reason)
    report = Report.objects.select_for_update().get(pk=report.pk)
    others = list(old.reports.exclude(pk=report.pk).order_by("created_at", "id"))
    if not others:
        raise Conflict("the report is the only one in its case")
    matched = DedupEntry.objects.filter(report=report).values_list("matched_key", flat=True)
    keys = {o.public_id for o in others}
    partner = next((k for k in matched if k in keys), others[0].public_id)
    new = case_open(actor=actor, project=old.project, title=report.title,
                    package=old.package, summary="")  # fmt: skip
    report.case, report.status, report.credit_rank = new, ReportStatus.IN_CASE, 1
    report.updated_at = now()
    report.save(update_fields=["case", "status", "credit_rank", "updated_at"])
    _rerank(old)
    finders_left(case=old, reports=[report])
    _add_reporters(new, [report], actor)
    if report.reporter_id is not None and not any(
        o.reporter_id == report.reporter_id for o in others
    ):
        CaseParticipant.objects.filter(
            case=old, user_id=report.reporter_id, role=ParticipantRole.REPORTER,
            revoked_at__isnull=True,
        ).update(revoked_at=now())  # fmt: skip
    _timeline(actor, old, "report_split", reason)
    _timeline(actor, new, "split_from", reason)
    _label(actor, report.public_id, partner, Label.NOT_DUPLICATE, reason)
    audit_append_many([
        AuditEvent(actor, "report.split", "report", report.public_id,
                   {"from": old.human_id, "to": new.human_id, "pair": partner}),
    ])  # fmt: skip
    return new


@transaction.atomic
def case_merge(*, actor: Actor, source: Case, target: Case, reason: str) -> Case:
    """Move every report of ``source`` into ``target``; ``source`` becomes a duplicate of it.

    Credit: the finders of both cases are ranked by arrival (a finder of ``source`` who
    reported first becomes the first finder); ``source``'s join ``target`` as co-reporters and
    its draft advisory's credits (``finders_joined``). Labels the pair (first report of each)
    "duplicate".
    Raises NotFound/PermissionDenied (policy, for either case), InvalidInput (same case, no
    reason, target already a duplicate), Conflict (source not in triage, see lifecycle).
    """
    if source.pk == target.pk:
        raise InvalidInput("target", "a case cannot be merged into itself")
    first, second = sorted([source, target], key=lambda c: c.pk)  # lock order: no deadlock
    locked = {c.pk: _locked(c) for c in (first, second)}
    source, target = locked[source.pk], locked[target.pk]
    require(actor, "case.triage", source)
    require(actor, "case.triage", target)
    reason = _reason(reason)
    if target.status == Status.DUPLICATE:
        raise InvalidInput("target", "merge into the original case, not into a duplicate")
    moving = list(source.reports.select_for_update().order_by("created_at", "id"))
    staying = list(target.reports.order_by("created_at", "id")[:1])
    for report in moving:
        report.case, report.status = target, ReportStatus.DUPLICATE
    Report.objects.bulk_update(moving, ["case", "status"])
    _rerank(target)
    _add_reporters(target, moving, actor)
    finders_joined(reports=moving)
    case_mark_duplicate(actor=actor, case=source, of=target, reason=reason)
    _timeline(actor, target, "merged_in", reason)
    # The target's team learns that reports joined, not from where or why.
    joined = f"{len(moving)} report(s) of a duplicate case joined this case"
    timeline_record(
        actor=actor, case=target, kind="reports_merged", visibility=V.MAINTAINERS, reason=joined
    )
    if moving and staying:
        _label(actor, moving[0].public_id, staying[0].public_id, Label.DUPLICATE, reason)
    audit_append_many([
        AuditEvent(actor, "case.merge", "case", source.human_id,
                   {"into": target.human_id, "reports": [r.public_id for r in moving]}),
    ])  # fmt: skip
    return target
