"""Content-type checks, body decoding and format detection: the first look at a submission.

Nothing here trusts the submitter's labels more than the bytes: a JSON content type must come
with JSON, a text body that happens to be a SARIF log is read as SARIF, and a format the
submitter declares wins over detection but not over a contradicting content type.
"""

from __future__ import annotations

from typing import Literal

from akrites.core.errors import InvalidInput, TooLarge

from .jsonutil import load_json
from .model import SourceFormat

MediaKind = Literal["json", "text"]
_JSON_TYPES = frozenset({"application/json", "text/json"})
_TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii"})


def media_kind(content_type: str | None) -> MediaKind | None:
    """``"json"``, ``"text"`` or None (not given). Any ``application/*+json`` type (SARIF's
    ``application/sarif+json``) counts as JSON. Raises ``InvalidInput("content_type", …)`` for
    other types and for a charset other than UTF-8 (of which ASCII is a subset)."""
    if content_type is None or not content_type.strip():
        return None
    main, *params = (part.strip().lower() for part in content_type.split(";"))
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in _CHARSETS:
            raise InvalidInput("content_type", "only UTF-8 is accepted")
    if main in _JSON_TYPES or (main.startswith("application/") and main.endswith("+json")):
        return "json"
    if main in _TEXT_TYPES:
        return "text"
    raise InvalidInput("content_type", "must be JSON or plain text")


def decode_body(body: bytes, *, max_bytes: int) -> str:
    """UTF-8 text of ``body`` without a byte-order mark. Raises ``TooLarge("body", …)`` above
    ``max_bytes`` (checked before any decoding work) and ``InvalidInput("body", …)`` for bad
    UTF-8 or NUL characters, which PostgreSQL text cannot hold."""
    if len(body) > max_bytes:
        raise TooLarge("body", f"must be at most {max_bytes} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("body", "not valid UTF-8") from None
    if "\x00" in text:
        raise InvalidInput("body", "contains NUL characters")
    return text.removeprefix("\ufeff")


def detect_json_format(doc: object) -> SourceFormat | None:
    """Which report format a parsed JSON document looks like, by its signature members:
    SARIF has ``runs`` with ``version`` or ``$schema``; OSV has ``id`` with ``modified``, or
    ``schema_version`` + ``id`` + ``affected``; Akrites JSON has ``format: akrites-report/…`` or
    ``title`` with ``package`` or ``description``."""
    if not isinstance(doc, dict):
        return None
    if "runs" in doc and ("version" in doc or "$schema" in doc):
        return "sarif"
    if "id" in doc and ("modified" in doc or ("schema_version" in doc and "affected" in doc)):
        return "osv"
    fmt = doc.get("format")
    if (isinstance(fmt, str) and fmt.startswith("akrites-report/")) or (
        "title" in doc and ("package" in doc or "description" in doc)
    ):
        return "akrites"
    return None


def sniff_json(text: str) -> object | None:
    """The parsed document when unlabelled text is a JSON object, else None: prose that starts
    with "{" and does not parse is simply prose."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        return load_json(text)
    except InvalidInput:
        return None
