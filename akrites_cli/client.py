"""A small typed client of the Akrites report API (``/api/v1/reports``).

``AkritesClient`` submits one document (``POST /api/v1/reports``) or a bulk stream
(``POST /api/v1/reports/bulk``) and turns every answer into typed results or one exception of
this module's own hierarchy, so callers never look at HTTP status codes::

    ClientError                 base: nothing here raises anything else
    ├── TransportFailed         the server could not be reached, even after retries
    ├── ProtocolError           the answer is not the Akrites API (404, redirect, proxy page)
    └── ApiError                the server answered with the JSON error shape
        ├── AuthError           401/403: token missing, revoked, expired or lacking a scope
        ├── RateLimited         429 still answered once the retry budget is spent
        ├── ServerError         5xx still answered once the retry budget is spent
        └── RejectedError       any other 4xx: the submission itself is refused

Retries: a request is retried with exponential backoff on 429 (waiting ``Retry-After``),
and — only when a retry cannot file a report twice — on 5xx and network errors. A single
submission is safe to retry when it carries an ``Idempotency-Key``; a bulk request is not
(the bulk endpoint keeps no key), so it is retried only when it never reached the server
(connect errors) or was refused before any work (429). The total time spent waiting per
request is bounded by ``RetryPolicy.max_total_wait``.

Every string the server sends is passed through ``clean`` before it reaches a caller, so a
hostile or broken server cannot put terminal escapes on the user's screen. The token is only
ever placed in the ``Authorization`` header; it is not part of any message or ``repr``.
"""

from __future__ import annotations

import ipaddress
import random
import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from importlib import metadata
from types import TracebackType
from typing import Any, NoReturn
from urllib.parse import urlsplit

import httpx

__all__ = [
    "AkritesClient",
    "ApiError",
    "AuthError",
    "BulkAnswer",
    "BulkItem",
    "ClientError",
    "ErrorInfo",
    "ProtocolError",
    "RateLimited",
    "RejectedError",
    "ReportReceipt",
    "RetryPolicy",
    "ServerError",
    "TransportFailed",
    "clean",
    "is_loopback",
]

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=120.0, write=60.0, pool=10.0)
_MAX_TEXT = 500
# Network errors after which the request certainly never reached the server.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_NETWORK = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_BEARER = re.compile(r"[A-Za-z0-9\-._~+/]+=*")  # RFC 6750 b64token


def clean(value: object, limit: int = _MAX_TEXT) -> str:
    """``value`` as a single printable line: control and format characters (ANSI escapes,
    bidi overrides, newlines) are dropped and the result is cut to ``limit`` characters."""
    text = "".join(
        ch for ch in str(value) if unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp"}
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_loopback(url: str) -> bool:
    """True when ``url`` names this machine (``localhost`` or a loopback address)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorInfo:
    """The server's error shape: ``{"code", "message", "field"?}`` (strings already cleaned)."""

    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class ReportReceipt:
    """One stored report as the server answered it."""

    id: str
    status: str
    case: str | None
    duplicate_of: str | None
    receipt_url: str


@dataclass(frozen=True)
class BulkItem:
    """The server's answer for one item of a bulk request (``index`` within that request)."""

    index: int
    reports: tuple[ReportReceipt, ...]
    error: ErrorInfo | None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class BulkAnswer:
    accepted: int
    rejected: int
    items: tuple[BulkItem, ...]


# --- errors --------------------------------------------------------------------------------


class ClientError(Exception):
    """Base of every error this client raises. ``str()`` is safe to print."""


class TransportFailed(ClientError):
    """The server could not be reached (connection refused, DNS, TLS, timeouts)."""


class ProtocolError(ClientError):
    """The server answered, but not in the shape of the Akrites API."""


class ApiError(ClientError):
    """The server answered with ``{"error": {...}}``; ``status`` is the HTTP status."""

    def __init__(self, status: int, error: ErrorInfo) -> None:
        super().__init__(f"{error.code}: {error.message}")
        self.status = status
        self.error = error


class AuthError(ApiError):
    """401 (no valid token) or 403 (the token may not do this)."""


class RateLimited(ApiError):
    """429 after the retry budget was spent; ``retry_after`` seconds, when the server said."""

    def __init__(self, status: int, error: ErrorInfo, retry_after: float | None) -> None:
        super().__init__(status, error)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx after the retry budget was spent."""


class RejectedError(ApiError):
    """Any other 4xx: the submission is refused; ``error.field`` names what is wrong."""


# --- retries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: at most ``attempts`` sends and ``max_total_wait`` seconds of waiting
    per request; backoff doubles from ``base_delay`` up to ``max_delay`` (with jitter)."""

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_total_wait: float = 120.0

    def backoff(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * 2.0**attempt)
        return delay * random.uniform(0.75, 1.0)


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), else None."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# --- parsing answers -----------------------------------------------------------------------


def _str(doc: Mapping[str, Any], key: str, *, optional: bool = False) -> str | None:
    value = doc.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ProtocolError(f"the server's answer has no string {key!r}")
    return clean(value)


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(f"the server's answer has no {what} object")
    return value


def _error_info(value: object) -> ErrorInfo:
    doc = _mapping(value, "error")
    return ErrorInfo(
        code=_str(doc, "code") or "error",
        message=_str(doc, "message") or "",
        field=_str(doc, "field", optional=True),
    )


def _receipt(value: object) -> ReportReceipt:
    doc = _mapping(value, "report")
    return ReportReceipt(
        id=_str(doc, "id") or "",
        status=_str(doc, "status") or "",
        case=_str(doc, "case", optional=True),
        duplicate_of=_str(doc, "duplicate_of", optional=True),
        receipt_url=_str(doc, "receipt_url") or "",
    )


def _bulk_item(value: object) -> BulkItem:
    doc = _mapping(value, "result")
    index, reports = doc.get("index"), doc.get("reports") or []
    if not isinstance(index, int) or not isinstance(reports, list):
        raise ProtocolError("the server's bulk result has no index or reports")
    error = doc.get("error")
    return BulkItem(
        index=index,
        reports=tuple(_receipt(r) for r in reports),
        error=None if error is None else _error_info(error),
    )


def _json(response: httpx.Response) -> Mapping[str, Any]:
    try:
        doc = response.json()
    except ValueError:
        raise ProtocolError(
            f"HTTP {response.status_code} without a JSON body; is this an Akrites server?"
        ) from None
    return _mapping(doc, "JSON")


def _error_of(response: httpx.Response) -> ErrorInfo | None:
    """The ``{"error": {...}}`` of an answer, or None when it has none (a proxy's page)."""
    try:
        doc = response.json()
    except ValueError:
        return None
    if not isinstance(doc, Mapping):
        return None
    try:
        return _error_info(doc.get("error"))
    except ProtocolError:
        return None


def _raise_for(response: httpx.Response) -> NoReturn:
    """Map a non-2xx answer to the exception hierarchy."""
    status = response.status_code
    if 300 <= status < 400:
        where = clean(response.headers.get("Location", "elsewhere"), 200)
        raise ProtocolError(f"HTTP {status}: the server redirects to {where}; use that URL")
    found = _error_of(response)
    error = found or ErrorInfo(f"http_{status}", clean(response.reason_phrase) or "error")
    if status in (401, 403):
        raise AuthError(status, error)
    if status == 429:
        raise RateLimited(status, error, _retry_after(response))
    if status >= 500:
        raise ServerError(status, error)
    if status == 404 or found is None:
        raise ProtocolError(f"HTTP {status}: this URL does not offer the Akrites report API")
    raise RejectedError(status, error)


# --- the client ----------------------------------------------------------------------------


def _user_agent() -> str:
    try:
        return f"akrites-cli/{metadata.version('akrites')}"
    except metadata.PackageNotFoundError:
        return "akrites-cli"


class AkritesClient:
    """A client of one Akrites server, authenticated by one API token.

    ``server`` is the site root (``https://akrites.example``); a trailing ``/api/v1`` is
    accepted too. Use as a context manager, or call ``close``. ``transport`` and ``sleep``
    exist for tests. Raises ``ClientError`` when ``token`` cannot be a bearer token.
    """

    def __init__(
        self,
        server: str,
        token: str,
        *,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not _BEARER.fullmatch(token):
            # Checked here because an HTTP library's complaint would quote the header value.
            raise ClientError("the API token has characters a bearer token cannot hold")
        root = server.rstrip("/").removesuffix("/api/v1")
        self.server = root
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=f"{root}/api/v1",
            headers={"Authorization": f"Bearer {token}", "User-Agent": _user_agent(),
                     "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            # A proxy between us and this machine makes no sense and would see the token.
            trust_env=not is_loopback(root),
        )  # fmt: skip

    def __repr__(self) -> str:
        return f"AkritesClient({self.server!r})"

    def __enter__(self) -> AkritesClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()

    def close(self) -> None:
        self._http.close()

    def submit(
        self,
        body: bytes,
        *,
        content_type: str,
        idempotency_key: str | None = None,
        declared_format: str | None = None,
        purl: str | None = None,
    ) -> list[ReportReceipt]:
        """POST one document; the reports it produced (several for a SARIF log).

        With ``idempotency_key`` the request is retried on network errors and 5xx as well,
        since the server answers a repeated key with the first answer. Raises
        ``RejectedError`` when the document is refused (nothing was stored).
        """
        headers = {"Content-Type": content_type}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        response = self._post(
            "/reports", body, headers, _params(declared_format, purl),
            retry_sent=idempotency_key is not None,
        )  # fmt: skip
        doc = _json(response)
        items = doc.get("items")
        if isinstance(items, list) and items:
            return [_receipt(item) for item in items]
        return [_receipt(doc)]

    def submit_bulk(
        self,
        body: bytes,
        *,
        content_type: str = "application/x-ndjson",
        declared_format: str | None = None,
        purl: str | None = None,
    ) -> BulkAnswer:
        """POST a bulk stream; one ``BulkItem`` per item, in order.

        Raises ``RejectedError`` when the request as a whole is refused (too large, empty).
        Not retried once it may have reached the server, so an uncertain failure raises
        ``TransportFailed``/``ServerError`` rather than risking a second copy.
        """
        response = self._post(
            "/reports/bulk", body, {"Content-Type": content_type},
            _params(declared_format, purl), retry_sent=False,
        )  # fmt: skip
        doc = _json(response)
        results = doc.get("results")
        if not isinstance(results, list):
            raise ProtocolError("the server's bulk answer has no results")
        items = tuple(_bulk_item(r) for r in results)
        accepted = sum(1 for i in items if i.ok)
        return BulkAnswer(accepted=accepted, rejected=len(items) - accepted, items=items)

    def _post(
        self, path: str, body: bytes, headers: dict[str, str], params: dict[str, str],
        *, retry_sent: bool,
    ) -> httpx.Response:  # fmt: skip
        """Send with retries; a 2xx response, or the mapped exception."""
        waited = 0.0
        for attempt in range(self.retry.attempts):
            try:
                outcome: httpx.Response | httpx.HTTPError = self._http.post(
                    path, content=body, headers=headers, params=params
                )
            except httpx.HTTPError as exc:
                outcome = exc
            if isinstance(outcome, httpx.Response) and outcome.is_success:
                return outcome
            delay = self._delay_for(outcome, attempt, retry_sent=retry_sent)
            final = attempt == self.retry.attempts - 1
            if delay is None or final or waited + delay > self.retry.max_total_wait:
                if isinstance(outcome, httpx.Response):
                    _raise_for(outcome)
                raise TransportFailed(
                    f"could not reach {self.server}: {type(outcome).__name__}"
                    f" ({clean(str(outcome), 200) or 'no detail'})"
                )
            self._sleep(delay)
            waited += delay
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _delay_for(
        self, outcome: httpx.Response | httpx.HTTPError, attempt: int, *, retry_sent: bool
    ) -> float | None:
        """How long to wait before retrying, or None when this outcome is final."""
        if isinstance(outcome, httpx.HTTPError):
            unsent = isinstance(outcome, _UNSENT)
            if unsent or (retry_sent and isinstance(outcome, _NETWORK)):
                return self.retry.backoff(attempt)
            return None
        if outcome.status_code == 429:
            after = _retry_after(outcome)
            return self.retry.backoff(attempt) if after is None else after
        if outcome.status_code >= 500 and retry_sent:
            return self.retry.backoff(attempt)
        return None


def _params(declared_format: str | None, purl: str | None) -> dict[str, str]:
    params = {}
    if declared_format:
        params["format"] = declared_format
    if purl:
        params["purl"] = purl
    return params
