"""The Akrites report JSON format (``akrites-report/1``), documented in
``docs/formats/akrites-report.md``.

Strict by design: an unknown member anywhere is an error, except ``x_``-prefixed members at the
top level, which are kept verbatim in ``extra["extensions"]``. A typo such as ``"cvs"`` must
not silently drop a severity a reporter believes they sent.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import cast

from akrites.core.errors import InvalidInput, TooLarge

from . import jsonutil as j
from .common import (
    MAX_ATTACHMENTS,
    MAX_CREDITS,
    MAX_CWES,
    MAX_DESCRIPTION_CHARS,
    MAX_FIXED,
    MAX_FRAME_CHARS,
    MAX_FRAMES,
    MAX_IDENTIFIERS,
    MAX_LOCATIONS,
    MAX_REFERENCES,
    MAX_SHORT_CHARS,
    check_version,
    clip,
    normalise_cvss,
    normalise_cwe,
    normalise_identifier,
    normalise_purl,
    normalise_url,
    normalise_vers,
    one_line,
    purl_type,
    unique,
)
from .model import (
    MAX_TITLE_CHARS,
    Attachment,
    Credit,
    JSONValue,
    Location,
    PackageRef,
    ParsedReport,
    Tool,
)

FORMAT_ID = "akrites-report/1"
CREDIT_TYPES = frozenset(
    {
        "FINDER",
        "REPORTER",
        "ANALYST",
        "COORDINATOR",
        "REMEDIATION_DEVELOPER",
        "REMEDIATION_REVIEWER",
        "REMEDIATION_VERIFIER",
        "TOOL",
        "SPONSOR",
        "OTHER",
    }
)
_TOP = frozenset(
    {
        "format",
        "title",
        "description",
        "package",
        "cwe",
        "cvss",
        "locations",
        "stack_trace",
        "references",
        "attachments",
        "credit",
        "identifiers",
        "tool",
    }
)
_MT_PART = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
MEDIA_TYPE_RE = re.compile(rf"^{_MT_PART}/{_MT_PART}$")
_B64_JUNK = re.compile(r"\s+")


def parse_akrites(doc: object, *, max_attachment_bytes: int) -> ParsedReport:
    """Validate an ``akrites-report/1`` document and normalise it.

    Raises ``InvalidInput`` naming the first offending field, ``TooLarge`` for an oversize
    description or attachment. All-or-nothing: no partial report is returned.
    """
    obj = j.as_object(doc, "")
    j.reject_unknown_keys(obj, _TOP, "", allow_x=True)
    fmt = j.opt_str(obj, "format", "", max_len=100)
    if fmt is not None and fmt != FORMAT_ID:
        raise InvalidInput("format", f"must be {FORMAT_ID}")
    title = one_line(j.req_str(obj, "title", "", max_len=MAX_TITLE_CHARS))
    if not title:
        raise InvalidInput("title", "must not be empty")
    description = _description(obj)
    stack, omitted = _stack_trace(obj.get("stack_trace"))
    extra: dict[str, JSONValue] = {}
    if omitted:
        extra["truncated"] = {"stack_trace": omitted}
    # load_json only ever produces JSON types, so the cast is a statement of fact.
    extensions = {k: cast(JSONValue, v) for k, v in obj.items() if k.startswith("x_")}
    if extensions:
        extra["extensions"] = cast(JSONValue, extensions)
    cvss = j.opt_str(obj, "cvss", "", max_len=300)
    return ParsedReport(
        title=title,
        source_format="akrites",
        description=description,
        package=_package(j.opt_object(obj, "package", "")),
        cwe=tuple(
            unique(
                normalise_cwe(v, p)
                for v, p in j.each_str(obj, "cwe", "", max_items=MAX_CWES, max_len=20)
            )
        ),
        cvss=normalise_cvss(cvss, "cvss") if cvss is not None else None,
        locations=tuple(
            _location(v, j.index("locations", i))
            for i, v in enumerate(j.opt_list(obj, "locations", "", max_items=MAX_LOCATIONS))
        ),
        stack_trace=stack,
        references=tuple(
            unique(
                normalise_url(v, p)
                for v, p in j.each_str(
                    obj, "references", "", max_items=MAX_REFERENCES, max_len=4096
                )
            )
        ),
        attachments=tuple(
            _attachment(v, j.index("attachments", i), max_attachment_bytes)
            for i, v in enumerate(j.opt_list(obj, "attachments", "", max_items=MAX_ATTACHMENTS))
        ),
        identifiers=tuple(
            unique(
                normalise_identifier(v, p)
                for v, p in j.each_str(
                    obj, "identifiers", "", max_items=MAX_IDENTIFIERS, max_len=100
                )
            )
        ),
        credits=_credits(obj.get("credit")),
        tool=_tool(j.opt_object(obj, "tool", "")),
        extra=extra,
    )


def _description(obj: dict[str, object]) -> str:
    value = obj.get("description")
    if value is None:
        return ""
    if isinstance(value, str) and len(value) > MAX_DESCRIPTION_CHARS:
        raise TooLarge("description", f"must be at most {MAX_DESCRIPTION_CHARS} characters")
    return j.as_str(value, "description", max_len=MAX_DESCRIPTION_CHARS, allow_empty=True)


def _package(obj: dict[str, object] | None) -> PackageRef | None:
    if obj is None:
        return None
    j.reject_unknown_keys(obj, frozenset({"purl", "affected", "fixed"}), "package")
    purl = normalise_purl(j.req_str(obj, "purl", "package", max_len=1000), "package.purl")
    affected = j.opt_str(obj, "affected", "package", max_len=2000)
    fixed = [
        check_version(v, p)
        for v, p in j.each_str(obj, "fixed", "package", max_items=MAX_FIXED, max_len=100)
    ]
    return PackageRef(
        purl=purl,
        affected=(
            normalise_vers(affected, "package.affected", package_type=purl_type(purl))
            if affected is not None
            else None
        ),
        fixed=tuple(unique(fixed)),
    )


def _location(value: object, path: str) -> Location:
    obj = j.as_object(value, path)
    j.reject_unknown_keys(obj, frozenset({"file", "line", "function"}), path)
    loc = Location(
        file=j.opt_str(obj, "file", path, max_len=MAX_SHORT_CHARS),
        line=j.opt_int(obj, "line", path, minimum=1),
        function=j.opt_str(obj, "function", path, max_len=MAX_SHORT_CHARS),
    )
    if loc.file is None and loc.function is None:
        raise InvalidInput(path, "needs a file or a function")
    return loc


def _stack_trace(value: object) -> tuple[tuple[str, ...], int]:
    """Frames from a string (one per non-empty line) or a list of strings. Deep traces keep
    their head and tail: the crash site is first in ASan/Java traces, last in Python ones.
    Returns the frames and how many were omitted."""
    if value is None:
        return (), 0
    if isinstance(value, str):
        if len(value) > MAX_DESCRIPTION_CHARS:
            raise TooLarge("stack_trace", f"must be at most {MAX_DESCRIPTION_CHARS} characters")
        frames = [line.strip() for line in value.splitlines()]
    elif isinstance(value, list):
        frames = [
            j.as_str(v, j.index("stack_trace", i), max_len=MAX_DESCRIPTION_CHARS).strip()
            for i, v in enumerate(value)
        ]
    else:
        raise InvalidInput("stack_trace", "must be a string or an array of strings")
    return cap_frames([clip(f, MAX_FRAME_CHARS) for f in frames if f])


def cap_frames(frames: list[str]) -> tuple[tuple[str, ...], int]:
    if len(frames) <= MAX_FRAMES:
        return tuple(frames), 0
    half = MAX_FRAMES // 2
    return (*frames[:half], *frames[-half:]), len(frames) - 2 * half


def _attachment(value: object, path: str, max_bytes: int) -> Attachment:
    obj = j.as_object(value, path)
    j.reject_unknown_keys(obj, frozenset({"name", "media_type", "content_base64"}), path)
    name = j.req_str(obj, "name", path, max_len=255).strip()
    if name in (".", "..") or any(c in name for c in "/\\") or not name.isprintable():
        raise InvalidInput(j.join(path, "name"), "must be a file name without directories")
    media_type = (
        j.opt_str(obj, "media_type", path, max_len=255) or "application/octet-stream"
    ).lower()
    if not MEDIA_TYPE_RE.match(media_type):
        raise InvalidInput(j.join(path, "media_type"), "is not a media type")
    content_path = j.join(path, "content_base64")
    raw = obj.get("content_base64")
    if not isinstance(raw, str):
        raise InvalidInput(content_path, "must be a base64 string")
    encoded = _B64_JUNK.sub("", raw)
    # Refuse before decoding: base64 is 4 characters per 3 bytes.
    if len(encoded) // 4 * 3 > max_bytes + 2:
        raise TooLarge(content_path, f"attachment is larger than {max_bytes} bytes")
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(content_path, "is not valid base64") from None
    if len(content) > max_bytes:
        raise TooLarge(content_path, f"attachment is larger than {max_bytes} bytes")
    return Attachment(name=name, media_type=media_type, content=content)


def _credits(value: object) -> tuple[Credit, ...]:
    """``credit`` is one object or an array of them (a team)."""
    if value is None:
        return ()
    if isinstance(value, dict):
        return (parse_credit(value, "credit"),)
    items = j.as_list(value, "credit", max_items=MAX_CREDITS)
    return tuple(parse_credit(v, j.index("credit", i)) for i, v in enumerate(items))


def parse_credit(value: object, path: str) -> Credit:
    obj = j.as_object(value, path)
    j.reject_unknown_keys(obj, frozenset({"name", "contact", "type"}), path)
    if isinstance(obj.get("contact"), str):
        obj = {**obj, "contact": [obj["contact"]]}
    kind = j.opt_str(obj, "type", path, max_len=40) or "FINDER"
    if kind not in CREDIT_TYPES:
        raise InvalidInput(j.join(path, "type"), "is not an OSV credit type")
    return Credit(
        name=j.req_str(obj, "name", path, max_len=MAX_SHORT_CHARS).strip(),
        contact=tuple(
            c for c, _ in j.each_str(obj, "contact", path, max_items=10, max_len=MAX_SHORT_CHARS)
        ),
        type=kind,
    )


def _tool(obj: dict[str, object] | None) -> Tool | None:
    if obj is None:
        return None
    j.reject_unknown_keys(obj, frozenset({"name", "version"}), "tool")
    return Tool(
        name=j.req_str(obj, "name", "tool", max_len=MAX_SHORT_CHARS).strip(),
        version=j.opt_str(obj, "version", "tool", max_len=100),
    )
