"""Webhooks: payloads with identifiers only, signed with HMAC-SHA256 over timestamp and body.

``Akrites-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``. Receivers
recompute the HMAC, compare in constant time, and refuse a timestamp outside their window
(five minutes is suggested) so a captured request cannot be replayed later; the
``Akrites-Delivery`` id lets them drop a replay inside the window. See docs/webhooks.md.

Payloads never carry titles, summaries, reasons or report text — only ids, the event kind
and, for cases that are public already, the identifier-only event data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from akrites.cases.models import Case, Status
from akrites.notifications.destinations import resolution_refusal
from akrites.notifications.email import case_url
from akrites.notifications.errors import ChannelError
from akrites.notifications.models import Delivery, Event

SIGNATURE_HEADER = "Akrites-Signature"
TOLERANCE_SECONDS = 300
_PUBLIC = frozenset({Status.DISCLOSED, Status.CLOSED})


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    *, secret: str, header: str, body: bytes, now: float | None = None, tolerance: int = 300
) -> bool:
    """The receiver's check (used by our tests and shown in docs/webhooks.md)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, timestamp=timestamp, body=body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def payload(delivery: Delivery, event: Event, case: Case | None) -> bytes:
    doc: dict[str, Any] = {
        "id": str(delivery.pk),
        "event": event.kind,
        "occurred_at": event.created_at.isoformat(),
        "case": case.human_id if case else None,
        "project": case.project.slug if case else None,
        "url": case_url(case) if case else None,
    }
    # While a case is under embargo even statuses stay home: ids and the event kind only.
    if case is not None and case.status in _PUBLIC:
        doc["data"] = event.data
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def post(*, url: str, secret: str, delivery_id: int, kind: str, body: bytes) -> None:
    """POST one signed payload; raise ``ChannelError`` unless the endpoint answers 2xx.

    The host must resolve to public addresses only (``destinations``), checked before each
    attempt: a subscription's name may come to point elsewhere after it was accepted.
    """
    parts = urlsplit(url)
    default_port = 443 if parts.scheme == "https" else 80
    refusal = resolution_refusal(parts.hostname or "", parts.port or default_port)
    if refusal is not None:
        raise ChannelError(refusal)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Akrites-Webhooks/1",
        "Akrites-Event": kind,
        "Akrites-Delivery": str(delivery_id),
        SIGNATURE_HEADER: sign(secret=secret, timestamp=int(time.time()), body=body),
    }
    try:
        response = httpx.post(
            url,
            content=body,
            headers=headers,
            timeout=settings.AKRITES_WEBHOOK_TIMEOUT,
            follow_redirects=False,  # a redirect could point the signed payload elsewhere
        )
    except httpx.TimeoutException:
        raise ChannelError("timeout") from None
    except httpx.HTTPError:
        raise ChannelError("connect_error") from None
    if not 200 <= response.status_code < 300:
        raise ChannelError(f"http_{response.status_code}")
