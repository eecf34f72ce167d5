"""Report intake endpoints: one report, a bulk stream, and the reporter's own reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from akrites.intake import selectors
from akrites.intake.idempotency import REPLAYED_HEADER, Answer, idempotent, request_digest
from akrites.intake.models import Channel, Report
from akrites.intake.ratelimit import rate_take
from akrites.intake.services.record import Outcome
from akrites.intake.services.submit import split_stream, submit_document, submit_stream

router = Router(tags=["reports"])
ReportFormat = Literal["akrites", "osv", "sarif", "text"]

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "An Akrites report JSON, an OSV document, a SARIF 2.1.0 log, plain "
        "text, or any of them as an ASCII-armoured OpenPGP message encrypted to the "
        "platform key (see /.well-known/security.txt).",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/sarif+json": {"schema": {"type": "object"}},
            # Free text and armoured messages are opaque bodies, validated by the parsers.
            "text/plain": {"schema": {}},
            "application/pgp-encrypted": {"schema": {}},
        },
    }
}
_BULK_DOC = {
    "requestBody": {
        "required": True,
        "description": "NDJSON (one report document per line) or a JSON array of documents.",
        "content": {
            # Opaque text (one JSON document per line); every line is answered on its own.
            "application/x-ndjson": {"schema": {}},
            # Items are checked one by one and answered per item (a bad item is a result,
            # not a failed request), so the array's items are documented as any JSON value.
            "application/json": {"schema": {"type": "array", "items": {}}},
        },
    }
}


class ReportOut(Schema):
    id: str
    status: str
    case: str | None = None
    duplicate_of: str | None = None
    # Why a report was answered without a case (out of the maintainers' published scope).
    answer: str | None = None
    receipt_url: str
    created_at: datetime | None = None


class SubmitOut(ReportOut):
    items: list[ReportOut] | None = None


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class BulkItemOut(Schema):
    index: int
    ok: bool
    reports: list[ReportOut] = []
    error: ErrorOut | None = None


class BulkOut(Schema):
    accepted: int
    rejected: int
    results: list[BulkItemOut]


def _report_out(report: Report, duplicate_of: str | None = None) -> dict[str, Any]:
    return {
        "id": report.public_id,
        "status": report.status,
        "case": report.case.human_id if report.case_id and report.case else None,
        "duplicate_of": duplicate_of,
        "answer": report.answer or None,
        "receipt_url": f"{settings.AKRITES_BASE_URL}/my/reports/{report.public_id}/",
        "created_at": report.created_at,
    }


def _outcome_out(o: Outcome) -> dict[str, Any]:
    return _report_out(o.report, o.duplicate_of.human_id if o.duplicate_of else None)


def _charge(request: HttpRequest, cost: int) -> None:
    rate_take(
        buckets={
            f"user:{request.user.pk}": settings.AKRITES_RATE_PER_IDENTITY,
            "*": settings.AKRITES_RATE_GLOBAL,
        },
        cost=cost,
    )


def _channel(request: HttpRequest, default: str) -> str:
    # The CLI identifies itself; the channel is a label for statistics, not a permission.
    agent = request.headers.get("User-Agent", "")
    return Channel.CLI if agent.startswith("akrites-cli/") else default


def _answer(request: HttpRequest, response: HttpResponse, produce: Any) -> Answer:
    """Run ``produce`` under the request's Idempotency-Key (if any)."""
    digest = request_digest(request.body, request.content_type, request.get_full_path())
    answer = idempotent(
        user=request.user,
        key=request.headers.get("Idempotency-Key"),
        digest=digest,
        produce=produce,
    )
    if answer.replayed:
        response[REPLAYED_HEADER] = "true"
    return answer


@router.post("", response={201: SubmitOut}, openapi_extra=_BODY_DOC)
def submit(
    request: HttpRequest,
    response: HttpResponse,
    format: ReportFormat | None = None,
    purl: str | None = None,
) -> Status[dict[str, Any]]:
    """Submit one report document; 201 only after the report is durably committed."""

    def produce() -> tuple[int, Any]:
        outcomes = submit_document(
            actor=request.user,
            body=request.body,
            content_type=request.content_type,
            declared_format=format,
            default_purl=purl,
            channel=_channel(request, Channel.API),
            charge=lambda cost: _charge(request, cost),
        )
        first = _outcome_out(outcomes[0])
        if len(outcomes) > 1:
            first["items"] = [_outcome_out(o) for o in outcomes]
        return 201, first

    answer = _answer(request, response, produce)
    return Status(answer.status, answer.body)


@router.post("/bulk", response={200: BulkOut}, openapi_extra=_BULK_DOC)
def submit_bulk(
    request: HttpRequest,
    response: HttpResponse,
    format: ReportFormat | None = None,
    purl: str | None = None,
) -> dict[str, Any]:
    """Submit many reports; one result per item, in order. Bad items never lose good ones.

    With an Idempotency-Key, a retried stream gets the first answer and files nothing again.
    """

    def produce() -> tuple[int, Any]:
        items = split_stream(request.body, request.content_type)
        results = submit_stream(
            actor=request.user,
            items=items,
            declared_format=format,
            default_purl=purl,
            channel=_channel(request, Channel.BULK),
            charge=lambda cost: _charge(request, cost),
        )
        out = [
            {
                "index": r.index,
                "ok": r.error is None,
                "reports": [_outcome_out(o) for o in r.outcomes],
                "error": r.error.as_dict() if r.error else None,
            }
            for r in results
        ]
        rejected = sum(1 for r in results if r.error)
        return 200, {"accepted": len(results) - rejected, "rejected": rejected, "results": out}

    answer = _answer(request, response, produce)
    body: dict[str, Any] = answer.body
    return body


@router.get("", response=list[ReportOut])
def my_reports(
    request: HttpRequest, limit: int = 50, before: str | None = None
) -> list[dict[str, Any]]:
    """Your reports, newest first; ``before=<report id>`` pages to older ones (limit 1 to 200)."""
    page = selectors.report_list_own(viewer=request.user, limit=limit, before=before)
    return [_report_out(r) for r in page]


class UnroutedOut(Schema):
    id: str
    status: str
    # The package the reporter named (empty when none): what the SIRT registers or attaches.
    purl: str
    channel: str
    created_at: datetime


@router.get("/unrouted", response=list[UnroutedOut])
def unrouted(request: HttpRequest, limit: int = 100) -> list[dict[str, Any]]:
    """The SIRT's unrouted queue: reports no case holds yet, oldest first (limit 1 to 500).
    Anyone else gets 404. Identifiers and the package only; the text is read one report at
    a time (``GET /reports/{id}``, audited)."""
    page = selectors.unrouted_list(viewer=request.user, limit=limit)
    return [
        {"id": r.public_id, "status": r.status, "purl": r.purl, "channel": r.channel,
         "created_at": r.created_at}
        for r in page
    ]  # fmt: skip


@router.get("/{report_id}", response=ReportOut)
def get_report(request: HttpRequest, report_id: str) -> dict[str, Any]:
    return _report_out(selectors.report_get(viewer=request.user, public_id=report_id))
