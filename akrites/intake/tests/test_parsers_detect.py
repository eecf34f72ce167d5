"""Content types, decoding, size limits and format detection in ``parse_report``."""

import json

import pytest

from akrites.core.errors import InvalidInput, TooLarge
from akrites.intake.parsers import parse_report

AKRITES = {"title": "Overflow", "description": "details"}
OSV = {"schema_version": "1.7.0", "id": "PYSEC-2024-1", "modified": "2024-01-01T00:00:00Z"}
SARIF = {
    "version": "2.1.0",
    "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"message": {"text": "m"}}]}],
}


def parse(body, content_type=None, declared_format=None, **kw):
    kw.setdefault("max_bytes", 100_000)
    kw.setdefault("max_attachment_bytes", 1_000)
    return parse_report(body, content_type=content_type, declared_format=declared_format, **kw)


@pytest.mark.parametrize(
    ("doc", "content_type", "expected"),
    [
        (AKRITES, "application/json", "akrites"),
        ({"format": "akrites-report/1", "title": "x"}, "application/json", "akrites"),
        (OSV, "application/json", "osv"),
        ({"id": "GHSA-2xr9-pxmw-jg8q", "modified": "2024-01-01T00:00:00Z"}, None, "osv"),
        (SARIF, "application/sarif+json", "sarif"),
        (SARIF, "application/json; charset=utf-8", "sarif"),
        # Unlabelled or text-labelled bodies that are recognisable JSON are read as such.
        (SARIF, None, "sarif"),
        (AKRITES, "text/plain", "akrites"),
        # JSON that is none of the formats, sent without a JSON label, is just text.
        ({"hello": "world"}, "text/plain", "text"),
    ],
)
def test_detects_format_from_signature(doc, content_type, expected):
    body = json.dumps(doc).encode()
    extra = {"default_purl": "pkg:npm/x"} if expected == "sarif" else {}
    assert parse(body, content_type, **extra)[0].source_format == expected


def test_declared_format_wins_over_detection():
    body = json.dumps({"title": "a", "description": "b"}).encode()
    [report] = parse(body, "text/plain", declared_format="text")
    assert report.source_format == "text"


@pytest.mark.parametrize(
    ("body", "content_type", "declared", "field", "fragment"),
    [
        (b"x", "image/png", None, "content_type", "JSON or plain text"),
        (b"x", "application/x-www-form-urlencoded", None, "content_type", ""),
        (b"x", "text/plain; charset=latin-1", None, "content_type", "UTF-8"),
        (b"not json", "application/json", None, "body", "malformed JSON at line 1 column 1"),
        (
            b'{"title": "a",\n  "description": }',
            "application/json",
            None,
            "body",
            "line 2 column 18",
        ),
        (b'{"a": 1}', "application/json", None, "body", "not an Akrites, OSV or SARIF"),
        (b"[1, 2]", "application/json", None, "body", "not an Akrites, OSV or SARIF"),
        (b'{"title": "a", "title": "b", "description": "c"}', None, "akrites", "body", "duplicate"),
        (b'{"title": NaN}', None, "akrites", "body", "NaN"),
        (b'{"title": "a\\u0000", "description": "x"}', None, "akrites", "body", "NUL"),
        (b'{"title": "\\ud800", "description": "x"}', None, "akrites", "body", "surrogate"),
        (b"[" * 100 + b"]" * 100, None, "osv", "body", "nested too deeply"),
        (b"[" * 20_000 + b"]" * 20_000, None, "osv", "body", "nested too deeply"),
        (b'{"n": ' + b"9" * 5000 + b"}", None, "osv", "body", "number is too long"),
        (b"\xff\xfe bad", None, None, "body", "not valid UTF-8"),
        (b"caf\xc3", "text/plain", None, "body", "not valid UTF-8"),
        (b"a\x00b", "text/plain", None, "body", "NUL"),
        (b"   \n\t ", "text/plain", None, "body", "empty"),
        (b"", None, None, "body", "empty"),
        (b"x", None, "yaml", "format", "must be one of"),
        (b"{}", "application/json", "text", "content_type", "declared text"),
    ],
)
def test_rejects_bad_envelopes(body, content_type, declared, field, fragment):
    with pytest.raises(InvalidInput) as exc:
        parse(body, content_type, declared)
    assert exc.value.field == field
    assert fragment in exc.value.message


def test_oversize_body_is_too_large_before_decoding():
    with pytest.raises(TooLarge) as exc:
        parse(b"\xff" * 101, max_bytes=100)
    assert exc.value.field == "body"
    assert exc.value.http_status == 413


def test_body_at_the_limit_is_accepted():
    assert parse(b"a" * 100, max_bytes=100)[0].title == "a" * 100


def test_byte_order_mark_is_ignored():
    body = b"\xef\xbb\xbf" + json.dumps(AKRITES).encode()
    assert parse(body, "application/json")[0].title == "Overflow"


def test_invalid_default_purl_names_its_own_field():
    with pytest.raises(InvalidInput) as exc:
        parse(b"hello", default_purl="pkg:nosuchtype/x")
    assert exc.value.field == "default_purl"


def test_error_messages_never_echo_the_rejected_value():
    secret = "EMBARGOED-SECRET-42"
    bad_docs = [
        {
            "title": "t",
            "package": {"purl": f"pkg:pypi/{secret}", "affected": f"vers:pypi/<{secret}"},
        },
        {"title": "t", "description": "d", "cvss": f"CVSS:3.1/{secret}"},
        {"title": "t", "description": "d", "cwe": [f"CWE-{secret}"]},
        {"title": "t", "description": "d", "references": [f"ftp://{secret}"]},
        {"title": "t", "description": "d", secret.lower(): 1},
    ]
    for doc in bad_docs:
        with pytest.raises(InvalidInput) as exc:
            parse(json.dumps(doc).encode(), "application/json")
        assert secret.lower() not in (exc.value.message + exc.value.field).lower()
