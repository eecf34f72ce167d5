"""Report parsers: untrusted bytes in, normalised ``ParsedReport`` objects out.

Public API::

    parse_report(body, *, content_type, declared_format, max_bytes, max_attachment_bytes,
                 default_purl=None) -> list[ParsedReport]

Pure Python, no Django and no database. Every failure is an ``InvalidInput`` (or its subclass
``TooLarge``) whose ``field`` is a JSON-pointer-like path and whose message never repeats the
rejected content. Formats: ``akrites`` (docs/formats/akrites-report.md), ``osv``, ``sarif``
(2.1.0) and ``text``.
"""

from __future__ import annotations

import dataclasses

from akrites.core.errors import InvalidInput

from .akrites_json import FORMAT_ID, parse_akrites
from .common import normalise_purl
from .detect import decode_body, detect_json_format, media_kind, sniff_json
from .jsonutil import load_json
from .model import (
    SOURCE_FORMATS,
    Attachment,
    Credit,
    Location,
    PackageRef,
    ParsedReport,
    SourceFormat,
    Tool,
)
from .osv import parse_osv
from .sarif import parse_sarif
from .text import parse_text

__all__ = [
    "FORMAT_ID",
    "SOURCE_FORMATS",
    "Attachment",
    "Credit",
    "Location",
    "PackageRef",
    "ParsedReport",
    "SourceFormat",
    "Tool",
    "parse_report",
]


def parse_report(
    body: bytes,
    *,
    content_type: str | None,
    declared_format: str | None,
    max_bytes: int,
    max_attachment_bytes: int,
    default_purl: str | None = None,
) -> list[ParsedReport]:
    """Parse one submission into one or more reports.

    ``declared_format`` (``akrites`` | ``osv`` | ``sarif`` | ``text``) wins over detection;
    without it a JSON body is recognised by its signature members and anything else is text.
    A SARIF log yields one report per finding, every other format exactly one.
    ``default_purl`` names the package when the submission does not (SARIF logs, text, Akrites
    JSON without ``package``); OSV documents always name their own.

    Raises ``TooLarge`` for a body over ``max_bytes`` or an attachment over
    ``max_attachment_bytes``, and ``InvalidInput`` for anything else wrong, e.g. ``content_type``
    (unsupported or contradicting the declared format), ``format`` (unknown), ``body`` (bad
    UTF-8, malformed JSON, unrecognised JSON, empty text), ``default_purl``, or a field path
    inside the document (``package.purl``, ``runs[0].results[3].message``). Never returns an
    empty list and never raises anything else on any input.
    """
    kind = media_kind(content_type)
    if declared_format is not None and declared_format not in SOURCE_FORMATS:
        raise InvalidInput("format", "must be one of " + ", ".join(SOURCE_FORMATS))
    if declared_format == "text" and kind == "json":
        raise InvalidInput("content_type", "JSON does not match the declared text format")
    text = decode_body(body, max_bytes=max_bytes)
    purl = normalise_purl(default_purl, "default_purl") if default_purl is not None else None

    fmt: SourceFormat | None = declared_format  # narrowed by the check above
    doc: object = None
    if fmt is not None and fmt != "text":
        doc = load_json(text)
    elif fmt is None and kind == "json":
        doc = load_json(text)
        fmt = detect_json_format(doc)
        if fmt is None:
            raise InvalidInput("body", "is not an Akrites, OSV or SARIF document")
    elif fmt is None:
        doc = sniff_json(text)
        fmt = detect_json_format(doc) or "text"

    if fmt == "sarif":
        return parse_sarif(doc, default_purl=purl)
    if fmt == "osv":
        return [parse_osv(doc)]
    if fmt == "akrites":
        report = parse_akrites(doc, max_attachment_bytes=max_attachment_bytes)
        if report.package is None and purl is not None:
            report = dataclasses.replace(report, package=PackageRef(purl=purl))
        return [report]
    return [parse_text(text, default_purl=purl)]
