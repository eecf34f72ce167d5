"""Triage reads: the SIRT queue with score breakdowns, a case's triage panel, recorded
breaches, and scanner profiles. Visibility is applied inside each selector."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from akrites.access.policy import allowed, require
from akrites.accounts.models import AccountKind
from akrites.cases.models import Case, Status
from akrites.cases.selectors import case_get
from akrites.cases.triage import priority
from akrites.cases.triage.clocks import ClockState, case_clocks
from akrites.cases.triage.models import ClockBreach
from akrites.cases.triage.reports import sent_reports
from akrites.cases.triage.severity import Severity, cwe_name, score_or_none
from akrites.cases.triage.signal import NEWCOMER, TrackRecord, quota_status, track_records
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import InvalidInput, NotFound

MAX_QUEUE = 500


@dataclass(frozen=True)
class QueueRow:
    case: Case
    priority: priority.Priority
    clocks: list[ClockState]

    @property
    def next_clock(self) -> ClockState | None:
        running = [c for c in self.clocks if c.met_at is None]
        return running[0] if running else None


def _senders(case_ids: list[int]) -> dict[int, set[int]]:
    by_case: dict[int, set[int]] = {cid: set() for cid in case_ids}
    for sent in sent_reports(case_ids=case_ids):
        by_case[sent.case_id].add(sent.sender_id)
    return by_case


def _priority(case: Case, senders: set[int], records: dict[int, TrackRecord]) -> priority.Priority:
    # The best sender vouches for a case (a strong finder's report is not dragged down by a
    # weak duplicate sender); anonymous reports count as newcomers.
    signal = max((records.get(uid, NEWCOMER).signal for uid in senders), default=NEWCOMER.signal)
    crit = case.project.criticality_score
    return priority.compute(
        priority.PriorityInputs(
            assessed_score=case.assessed_cvss_score,
            proposed_score=case.proposed_cvss_score,
            known_exploited=case.known_exploited,
            criticality=None if crit is None else float(crit),
            finder_signal=signal,
            age=now() - case.created_at,
        )
    )


def triage_queue(
    *,
    viewer: Actor,
    limit: int = 100,
    statuses: Collection[str] = (Status.TRIAGE,),
    keep: Callable[[QueueRow], bool] | None = None,
) -> list[QueueRow]:
    """Cases in ``statuses`` (triage by default), highest priority first (see
    ``cases.triage.priority``); with ``keep``, only the rows it accepts (a filter on score,
    clocks or claim, applied before ``limit``).

    Scores every case in those statuses (a handful of queries in all), then loads the titles
    of the returned rows only, since titles are encrypted and the bulk of the cost.
    """
    require(viewer, "queue.view")
    cases = list(
        Case.objects.filter(status__in=list(statuses))
        .select_related("project", "package", "claimed_by")
        .defer("title", "summary")
    )
    senders = _senders([c.pk for c in cases])
    records = track_records(user_ids=set().union(*senders.values()) if senders else set())
    at = now()
    rows = [QueueRow(c, _priority(c, senders[c.pk], records), case_clocks(c, at=at)) for c in cases]
    if keep is not None:
        rows = [r for r in rows if keep(r)]
    rows.sort(key=lambda r: (r.priority.tier, -r.priority.score, r.case.created_at, r.case.pk))
    rows = rows[: max(1, min(limit, MAX_QUEUE))]
    titles = dict(Case.objects.filter(pk__in=[r.case.pk for r in rows]).values_list("pk", "title"))
    for row in rows:
        row.case.title = titles[row.case.pk]
    return rows


@dataclass(frozen=True)
class SenderView:
    user: Any
    record: TrackRecord


@dataclass(frozen=True)
class TriagePanel:
    case: Case
    priority: priority.Priority
    clocks: list[ClockState]
    proposed: Severity | None
    assessed: Severity | None
    proposed_cwe: tuple[str, str] | None
    assessed_cwe: tuple[str, str] | None
    senders: list[SenderView]
    breaches: list[ClockBreach]


def _cwe(value: str) -> tuple[str, str] | None:
    if not value:
        return None
    try:
        return cwe_name(value)
    except InvalidInput:
        return (value, "not in the CWE catalogue")


def case_triage(*, viewer: Actor, human_id: str) -> TriagePanel:
    """The triage panel of one case; NotFound for a viewer without ``case.view_triage``
    (maintainers and reporters see the case room, not the SIRT's scoring)."""
    case = case_get(viewer=viewer, human_id=human_id)
    if not allowed(viewer, "case.view_triage", case):
        raise NotFound()
    senders = _senders([case.pk])[case.pk]
    records = track_records(user_ids=senders)
    users = get_user_model().objects.filter(pk__in=senders).select_related("owner_org")
    return TriagePanel(
        case=case,
        priority=_priority(case, senders, records),
        clocks=case_clocks(case, at=now()),
        proposed=score_or_none(case.proposed_cvss) if case.proposed_cvss else None,
        assessed=score_or_none(case.assessed_cvss) if case.assessed_cvss else None,
        proposed_cwe=_cwe(case.proposed_cwe),
        assessed_cwe=_cwe(case.assessed_cwe),
        senders=[SenderView(u, records.get(u.pk, NEWCOMER)) for u in users],
        breaches=list(case.breaches.all()),
    )


def breach_list(*, viewer: Actor, limit: int = 200) -> list[ClockBreach]:
    """Recorded clock breaches, most recently due first."""
    require(viewer, "queue.view")
    return list(
        ClockBreach.objects.select_related("case", "case__project").order_by("-due_at", "-id")[
            : max(1, min(limit, 1000))
        ]
    )


@dataclass(frozen=True)
class ScannerProfile:
    user: Any
    record: TrackRecord
    # (used in 24 h, effective limit, base limit) — only for the SIRT and the owner org.
    quota: tuple[int, int, int] | None


def scanner_profile(*, viewer: Actor, username: str) -> ScannerProfile:
    """A scanner identity's public profile: accountable organisation, outcomes, precision.

    Public by design (accountability for automated finders); quotas are shown only to the
    SIRT and the scanner's own organisation. NotFound for anything but an active scanner.
    """
    try:
        user = (
            get_user_model()
            .objects.select_related("owner_org")
            .get(username=username, kind=AccountKind.SCANNER, is_active=True)
        )
    except get_user_model().DoesNotExist:
        raise NotFound() from None
    record = track_records(user_ids={user.pk}).get(user.pk, NEWCOMER)
    quota = quota_status(user=user) if allowed(viewer, "sender.view_quota", user) else None
    return ScannerProfile(user=user, record=record, quota=quota)


def sender_get(*, viewer: Actor, username: str) -> Any:
    """A sender account whose quota the viewer may see; NotFound otherwise."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not allowed(viewer, "sender.view_quota", user):
        raise NotFound()
    return user


def sender_quota(*, viewer: Actor, user: Any) -> tuple[int, int, int]:
    """(used in 24 h, effective daily limit, base limit) of ``user``; 0 limits mean none."""
    if not allowed(viewer, "sender.view_quota", user):
        raise NotFound()
    return quota_status(user=user)


def queue_projects(*, viewer: Actor, statuses: Collection[str]) -> list[tuple[str, str]]:
    """(slug, name) of the projects with a case in ``statuses``, by name: the queue's
    project filter offers only projects that can match."""
    require(viewer, "queue.view")
    rows = (
        Case.objects.filter(status__in=list(statuses))
        .values_list("project__slug", "project__name")
        .distinct()
        .order_by("project__name")
    )
    return [(str(slug), str(name)) for slug, name in rows]
