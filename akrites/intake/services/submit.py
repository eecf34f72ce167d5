"""From raw bytes to recorded reports: decrypt, parse, check limits, record.

``submit_document`` handles one document (which may hold several reports: a SARIF log);
``submit_stream`` handles a bulk stream (NDJSON or a JSON array), giving every item its own
result and recording all good items together in one transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import DatabaseError, transaction

from akrites.core.actors import Actor
from akrites.core.errors import AkritesError, Conflict, InvalidInput, TooLarge
from akrites.intake.keys import platform_keyring
from akrites.intake.models import Channel
from akrites.intake.openpgp import is_armored_message
from akrites.intake.parsers import ParsedReport, parse_report
from akrites.intake.parsers.detect import decode_body
from akrites.intake.parsers.jsonutil import load_json
from akrites.intake.services.record import Outcome, Submission, reports_record

logger = logging.getLogger(__name__)
_PGP_TYPES = frozenset({"application/pgp-encrypted", "application/pgp"})


def _decrypt_if_armored(body: bytes, content_type: str | None) -> tuple[bytes, str | None, bool]:
    main = (content_type or "").split(";")[0].strip().lower()
    if main in _PGP_TYPES or is_armored_message(body):
        plaintext = platform_keyring().decrypt_armored(
            body, max_bytes=settings.AKRITES_MAX_REQUEST_BYTES
        )
        return plaintext, None, True
    return body, content_type, False


def _check_size(parsed: ParsedReport, field: str) -> None:
    doc = parsed.to_dict()
    doc["attachments"] = []
    if len(json.dumps(doc).encode()) > settings.AKRITES_MAX_REPORT_BYTES:
        raise TooLarge(field, f"a report must be at most {settings.AKRITES_MAX_REPORT_BYTES} bytes")


def parse_document(
    body: bytes, *, content_type: str | None, declared_format: str | None, default_purl: str | None
) -> tuple[list[ParsedReport], bool]:
    """Parse (after decrypting OpenPGP armour) into reports, each within the size limit."""
    if len(body) > settings.AKRITES_MAX_REQUEST_BYTES:
        raise TooLarge("body", f"must be at most {settings.AKRITES_MAX_REQUEST_BYTES} bytes")
    plain, content_type, encrypted = _decrypt_if_armored(body, content_type)
    reports = parse_report(
        plain,
        content_type=content_type,
        declared_format=declared_format,
        max_bytes=settings.AKRITES_MAX_REQUEST_BYTES,
        max_attachment_bytes=settings.AKRITES_MAX_ATTACHMENT_BYTES,
        default_purl=default_purl or None,
    )
    for report in reports:
        _check_size(report, "body")
    return reports, encrypted


Charge = Callable[[int], None]


def submit_document(
    *,
    actor: Actor,
    body: bytes,
    content_type: str | None,
    declared_format: str | None = None,
    default_purl: str | None = None,
    channel: str = Channel.API,
    extra: Submission | None = None,
    charge: Charge | None = None,
) -> list[Outcome]:
    """Parse and record one document. All-or-nothing: an invalid document stores nothing.

    ``charge(cost)`` (a rate limit) runs in the recording transaction for a valid document,
    so an accepted report costs one durable commit; an invalid one is charged on its own.
    """
    try:
        reports, encrypted = parse_document(
            body,
            content_type=content_type,
            declared_format=declared_format,
            default_purl=default_purl,
        )
    except AkritesError:
        if charge is not None:
            charge(1)
        raise
    template = extra or Submission(parsed=reports[0])
    subs = [replace(template, parsed=r, encrypted=encrypted) for r in reports]
    with transaction.atomic():
        if charge is not None:
            charge(len(subs))
        return reports_record(actor=actor, submissions=subs, channel=channel)


@dataclass
class ItemResult:
    index: int
    outcomes: list[Outcome]
    error: AkritesError | None = None


def split_stream(body: bytes, content_type: str | None) -> list[bytes]:
    """Items of a bulk body: a JSON array, or NDJSON (one JSON document per non-blank line)."""
    if len(body) > settings.AKRITES_MAX_REQUEST_BYTES:
        raise TooLarge("body", f"must be at most {settings.AKRITES_MAX_REQUEST_BYTES} bytes")
    stripped = body.lstrip()
    declared_json = (content_type or "").split(";")[0].strip().lower() == "application/json"
    if declared_json and not stripped.startswith(b"["):
        raise InvalidInput(
            "body",
            "application/json must be an array of reports; send NDJSON as application/x-ndjson",
        )
    if stripped.startswith(b"["):
        # The same strict loader as single documents: duplicate keys, NaN and deep nesting
        # are refused here too, not silently normalised by re-serialising.
        items = load_json(decode_body(body, max_bytes=settings.AKRITES_MAX_REQUEST_BYTES))
        if not isinstance(items, list):
            raise InvalidInput("body", "must be a JSON array or NDJSON")
        lines = [json.dumps(item).encode() for item in items]
    else:
        lines = [line for line in body.split(b"\n") if line.strip()]
    if not lines:
        raise InvalidInput("body", "no reports in the stream")
    if len(lines) > settings.AKRITES_MAX_BULK_ITEMS:
        raise TooLarge("body", f"at most {settings.AKRITES_MAX_BULK_ITEMS} reports per request")
    return lines


def submit_stream(
    *,
    actor: Actor,
    items: list[bytes],
    declared_format: str | None = None,
    default_purl: str | None = None,
    channel: str = Channel.BULK,
    charge: Charge | None = None,
) -> list[ItemResult]:
    """Parse every item on its own; record every valid one in a single transaction.

    One bad item never loses the good ones. If recording the batch fails at the database
    (it should not: items are validated first), items are recorded one by one so each still
    gets its own answer.
    """
    results: list[ItemResult] = []
    valid: list[tuple[int, list[ParsedReport], bool]] = []
    for index, raw in enumerate(items):
        try:
            # Every item of a stream is a JSON document (an OpenPGP message is the exception:
            # it is decrypted first); a stray line of prose is an error, not a text report.
            reports, encrypted = parse_document(
                raw,
                content_type=None if is_armored_message(raw) else "application/json",
                declared_format=declared_format,
                default_purl=default_purl,
            )
        except AkritesError as exc:
            results.append(ItemResult(index, [], exc))
            continue
        results.append(ItemResult(index, []))
        valid.append((index, reports, encrypted))
    subs = [Submission(parsed=r, encrypted=e) for _, rs, e in valid for r in rs]
    try:
        with transaction.atomic():
            if charge is not None:
                charge(len(items))
            outcomes = reports_record(actor=actor, submissions=subs, channel=channel)
    except DatabaseError:
        logger.exception("bulk batch of %d reports failed; recording one by one", len(subs))
        for index, rs, e in valid:
            try:
                results[index].outcomes = reports_record(
                    actor=actor,
                    submissions=[Submission(parsed=r, encrypted=e) for r in rs],
                    channel=channel,
                )
            except DatabaseError:
                logger.exception("bulk item %d could not be stored", index)
                results[index].error = Conflict("this report could not be stored; retry it")
        return results
    cursor = 0
    for index, rs, _ in valid:
        results[index].outcomes = outcomes[cursor : cursor + len(rs)]
        cursor += len(rs)
    return results
