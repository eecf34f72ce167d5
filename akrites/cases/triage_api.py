"""Triage endpoints (/api/v1/triage): the queue with score breakdowns, a case's triage
panel, claims, severity, exploitation, EU CRA reports, breaches, scanner profiles.

Request bodies have defaults for every field so that a caller who may not see the case gets
the same 404 whatever they send; the services validate (422 with the field's name).
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from akrites.cases.selectors import case_get
from akrites.cases.triage import selectors, services
from akrites.cases.triage.clocks import ClockState
from akrites.cases.triage.priority import Priority

router = Router(tags=["triage"])


class ComponentOut(Schema):
    name: str
    shown: str
    value: float
    weight: float
    points: float


class ClockOut(Schema):
    kind: str
    due_at: datetime
    met_at: datetime | None
    state: str


class QueueRowOut(Schema):
    id: str
    title: str
    project: str
    created_at: datetime
    score: float
    tier: int
    tier_reason: str
    breakdown: list[ComponentOut]
    claimed_by: str | None
    clocks: list[ClockOut]


def _breakdown(p: Priority) -> list[ComponentOut]:
    return [
        ComponentOut(name=c.name, shown=c.shown, value=c.value, weight=c.weight, points=c.points)
        for c in p.components
    ]


def _clocks(clocks: list[ClockState]) -> list[ClockOut]:
    return [ClockOut(kind=c.kind, due_at=c.due_at, met_at=c.met_at, state=c.state) for c in clocks]


@router.get("/queue", response=list[QueueRowOut])
def queue(request: HttpRequest, limit: int = 100) -> list[QueueRowOut]:
    return [
        QueueRowOut(
            id=r.case.human_id,
            title=r.case.title,
            project=r.case.project.slug,
            created_at=r.case.created_at,
            score=r.priority.score,
            tier=r.priority.tier,
            tier_reason=r.priority.tier_reason,
            breakdown=_breakdown(r.priority),
            claimed_by=r.case.claimed_by.get_username() if r.case.claimed_by else None,
            clocks=_clocks(r.clocks),
        )
        for r in selectors.triage_queue(viewer=request.user, limit=limit)
    ]


class SeverityOut(Schema):
    vector: str
    version: str
    score: float
    rating: str


class SenderOut(Schema):
    username: str
    kind: str
    organisation: str | None
    signal: float
    valid: int
    duplicate: int
    invalid: int
    spam: int


class PanelOut(Schema):
    id: str
    status: str
    score: float
    tier: int
    breakdown: list[ComponentOut]
    proposed: SeverityOut | None
    assessed: SeverityOut | None
    proposed_cwe: list[str] | None
    assessed_cwe: list[str] | None
    known_exploited: bool
    claimed_by: str | None
    clocks: list[ClockOut]
    senders: list[SenderOut]


def _panel(request: HttpRequest, case_id: str) -> PanelOut:
    p = selectors.case_triage(viewer=request.user, human_id=case_id)
    sev = [
        SeverityOut(vector=s.vector, version=s.version, score=float(s.score), rating=s.rating)
        if s
        else None
        for s in (p.proposed, p.assessed)
    ]
    return PanelOut(
        id=p.case.human_id,
        status=p.case.status,
        score=p.priority.score,
        tier=p.priority.tier,
        breakdown=_breakdown(p.priority),
        proposed=sev[0],
        assessed=sev[1],
        proposed_cwe=list(p.proposed_cwe) if p.proposed_cwe else None,
        assessed_cwe=list(p.assessed_cwe) if p.assessed_cwe else None,
        known_exploited=p.case.known_exploited,
        claimed_by=p.case.claimed_by.get_username() if p.case.claimed_by else None,
        clocks=_clocks(p.clocks),
        senders=[
            SenderOut(
                username=s.user.get_username(),
                kind=s.user.kind,
                organisation=s.user.owner_org.slug if s.user.owner_org else None,
                signal=round(s.record.signal, 4),
                valid=s.record.valid,
                duplicate=s.record.duplicate,
                invalid=s.record.invalid,
                spam=s.record.spam,
            )
            for s in p.senders
        ],
    )


@router.get("/cases/{case_id}", response=PanelOut)
def panel(request: HttpRequest, case_id: str) -> PanelOut:
    return _panel(request, case_id)


@router.post("/cases/{case_id}/claim", response=PanelOut)
def claim(request: HttpRequest, case_id: str) -> PanelOut:
    services.case_claim(actor=request.user, case=case_get(viewer=request.user, human_id=case_id))
    return _panel(request, case_id)


@router.post("/cases/{case_id}/release", response=PanelOut)
def release(request: HttpRequest, case_id: str) -> PanelOut:
    services.case_release(actor=request.user, case=case_get(viewer=request.user, human_id=case_id))
    return _panel(request, case_id)


class SeverityIn(Schema):
    vector: str = ""
    cwe: str = ""
    reason: str = ""


@router.post("/cases/{case_id}/severity", response=PanelOut)
def assess(request: HttpRequest, case_id: str, payload: SeverityIn) -> PanelOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.case_severity_assess(
        actor=request.user, case=case, vector=payload.vector, cwe=payload.cwe, reason=payload.reason
    )
    return _panel(request, case_id)


class ExploitedIn(Schema):
    known_exploited: bool = True
    reason: str = ""


@router.post("/cases/{case_id}/exploitation", response=PanelOut)
def exploitation(request: HttpRequest, case_id: str, payload: ExploitedIn) -> PanelOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.case_exploitation_set(
        actor=request.user,
        case=case,
        known_exploited=payload.known_exploited,
        reason=payload.reason,
    )
    return _panel(request, case_id)


class CraIn(Schema):
    report: str = ""
    reason: str = ""


@router.post("/cases/{case_id}/cra-reports", response=PanelOut)
def cra_report(request: HttpRequest, case_id: str, payload: CraIn) -> PanelOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.case_cra_report_record(
        actor=request.user, case=case, report=payload.report, reason=payload.reason
    )
    return _panel(request, case_id)


class SpamIn(Schema):
    reason: str = ""


@router.post("/cases/{case_id}/spam", response=PanelOut)
def spam(request: HttpRequest, case_id: str, payload: SpamIn) -> PanelOut:
    case = case_get(viewer=request.user, human_id=case_id)
    services.case_reject_as_spam(actor=request.user, case=case, reason=payload.reason)
    return _panel(request, case_id)


class BreachOut(Schema):
    case: str
    kind: str
    due_at: datetime
    recorded_at: datetime


@router.get("/breaches", response=list[BreachOut])
def breaches(request: HttpRequest, limit: int = 200) -> list[BreachOut]:
    return [
        BreachOut(case=b.case.human_id, kind=b.kind, due_at=b.due_at, recorded_at=b.recorded_at)
        for b in selectors.breach_list(viewer=request.user, limit=limit)
    ]


class QuotaOut(Schema):
    used_24h: int
    daily_limit: int
    base_limit: int


class ScannerOut(Schema):
    username: str
    display_name: str
    organisation: str | None
    valid: int
    duplicate: int
    invalid: int
    spam: int
    precision: float | None
    signal: float
    quota: QuotaOut | None


@router.get("/scanners/{scanner}", response=ScannerOut)
def scanner(request: HttpRequest, scanner: str) -> ScannerOut:
    p = selectors.scanner_profile(viewer=request.user, username=scanner)
    r = p.record
    return ScannerOut(
        username=p.user.get_username(),
        display_name=p.user.display_name,
        organisation=p.user.owner_org.name if p.user.owner_org else None,
        valid=r.valid,
        duplicate=r.duplicate,
        invalid=r.invalid,
        spam=r.spam,
        precision=None if r.precision is None else round(r.precision, 4),
        signal=round(r.signal, 4),
        quota=QuotaOut(used_24h=p.quota[0], daily_limit=p.quota[1], base_limit=p.quota[2])
        if p.quota
        else None,
    )


class QuotaIn(Schema):
    daily_limit: int = -1
    reason: str = ""


@router.put("/senders/{username}/quota", response=QuotaOut)
def set_quota(request: HttpRequest, username: str, payload: QuotaIn) -> QuotaOut:
    user = selectors.sender_get(viewer=request.user, username=username)
    services.sender_quota_set(
        actor=request.user, user=user, daily_limit=payload.daily_limit, reason=payload.reason
    )
    used, limit, base = selectors.sender_quota(viewer=request.user, user=user)
    return QuotaOut(used_24h=used, daily_limit=limit, base_limit=base)
