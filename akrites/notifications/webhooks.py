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
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from akrites.cases.lifecycle import PUBLISHED
from akrites.cases.models import Case
from akrites.notifications.destinations import checked_addresses, literal_refusal
from akrites.notifications.email import case_url
from akrites.notifications.errors import ChannelError
from akrites.notifications.models import Delivery, Event

SIGNATURE_HEADER = "Akrites-Signature"
TOLERANCE_SECONDS = 300
_DEFAULT_PORTS = {"https": 443, "http": 80}


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
    if case is not None and case.status in PUBLISHED:
        doc["data"] = event.data
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def post(*, url: str, secret: str, delivery_id: int, kind: str, body: bytes) -> None:
    """POST one signed payload; raise ``ChannelError`` unless the endpoint answers 2xx.

    The host is resolved once, before each attempt, and every address must be public
    (``destinations``): a subscription's name may come to point elsewhere after it was
    accepted. The request then goes to those checked addresses only — the name travels as
    the Host header and as TLS SNI, and the certificate is verified for the name — so a
    resolver answering differently for the connection (DNS rebinding) is never asked.
    Redirects are not followed, and proxy settings from the environment are not used (a
    proxy would connect wherever its own resolver says).
    """
    target = _target(url)
    name = target.raw_host.decode("ascii")
    addresses = checked_addresses(name, target.port or _DEFAULT_PORTS[target.scheme])
    headers = {
        "Host": target.netloc.decode("ascii"),
        "Content-Type": "application/json",
        "User-Agent": "Akrites-Webhooks/1",
        "Akrites-Event": kind,
        "Akrites-Delivery": str(delivery_id),
        SIGNATURE_HEADER: sign(secret=secret, timestamp=int(time.time()), body=body),
    }
    extensions = {"sni_hostname": name} if target.scheme == "https" else {}
    with httpx.Client(
        verify=_tls_context(),
        trust_env=False,
        follow_redirects=False,  # a redirect could point the signed payload elsewhere
        timeout=settings.AKRITES_WEBHOOK_TIMEOUT,
    ) as client:
        response = _send_first(client, target, addresses, headers, extensions, body)
    if not 200 <= response.status_code < 300:
        raise ChannelError(f"http_{response.status_code}")


def _target(url: str) -> httpx.URL:
    # The stored URL was checked at subscription, but the rules may have grown since.
    try:
        if literal_refusal(urlsplit(url).hostname or ""):
            raise ChannelError("blocked_address")
        target = httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        raise ChannelError("invalid_url") from None
    if target.scheme not in _DEFAULT_PORTS or not target.raw_host:
        raise ChannelError("invalid_url")
    return target


def _send_first(
    client: httpx.Client,
    target: httpx.URL,
    addresses: list[str],
    headers: dict[str, str],
    extensions: dict[str, Any],
    body: bytes,
) -> httpx.Response:
    """Send to the first checked address that accepts a connection (nothing was sent before)."""
    code = "connect_error"
    for address in addresses:
        request = client.build_request(
            "POST",
            target.copy_with(host=address),
            content=body,
            headers=headers,
            extensions=extensions,
        )
        try:
            return client.send(request)
        except httpx.ConnectTimeout:
            code = "timeout"
        except httpx.ConnectError:
            code = "connect_error"
        except httpx.TimeoutException:
            raise ChannelError("timeout") from None
        except httpx.HTTPError:
            raise ChannelError("connect_error") from None
    raise ChannelError(code)


def _tls_context() -> ssl.SSLContext:
    """The public web PKI (certifi), whatever SSL_CERT_FILE says; hostname checking is on.

    A fresh context per delivery, as ``httpx.post`` made: httpcore sets ALPN on the context
    at every connection, so one shared by concurrent workers would be written concurrently.
    """
    return httpx.create_ssl_context(trust_env=False)
