"""Property tests: whatever arrives, ``parse_report`` answers with reports or with
``InvalidInput`` (``TooLarge`` included), never with any other exception."""

import dataclasses
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akrites.core.errors import InvalidInput
from akrites.intake.parsers import ParsedReport, parse_report

FORMATS = st.sampled_from([None, "akrites", "osv", "sarif", "text"])
CONTENT_TYPES = st.sampled_from(
    [None, "application/json", "text/plain", "application/sarif+json", "image/png"]
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)

# Values drawn from what real reports contain, so generated documents get past the first checks.
plausible = st.sampled_from(
    [
        "pkg:pypi/x",
        "pkg:maven/g/a",
        "pkg:npm/@s/x",
        "vers:pypi/<1.0",
        "vers:npm/>=1|<2",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CWE-79",
        "CWE-0",
        "https://e.org/x",
        "2.1.0",
        "PyPI",
        "Go",
        "Maven",
        "GIT",
        "ECOSYSTEM",
        "0",
        "1.2.3",
        "CVE-2024-1234",
        "3f786850e387550fdab836ed7e6dc881de23001b",
        "2024-01-01T00:00:00Z",
        "",
    ]
)
leaf = scalars | plausible
KEYS = st.sampled_from(
    [
        "title",
        "description",
        "package",
        "purl",
        "affected",
        "fixed",
        "cwe",
        "cvss",
        "locations",
        "file",
        "line",
        "function",
        "stack_trace",
        "references",
        "attachments",
        "name",
        "media_type",
        "content_base64",
        "credit",
        "identifiers",
        "tool",
        "version",
        "format",
        "id",
        "modified",
        "schema_version",
        "summary",
        "details",
        "aliases",
        "ecosystem",
        "ranges",
        "type",
        "events",
        "introduced",
        "last_affected",
        "repo",
        "severity",
        "score",
        "url",
        "database_specific",
        "cwe_ids",
        "credits",
        "contact",
        "runs",
        "results",
        "ruleId",
        "ruleIndex",
        "rule",
        "index",
        "message",
        "text",
        "arguments",
        "driver",
        "rules",
        "shortDescription",
        "properties",
        "tags",
        "physicalLocation",
        "artifactLocation",
        "uri",
        "region",
        "startLine",
        "logicalLocations",
        "partialFingerprints",
        "codeFlows",
        "threadFlows",
        "location",
        "relationships",
        "target",
        "toolComponent",
        "kind",
        "taxa",
        "x_ext",
        "$schema",
        "versions",
        "stacks",
        "frames",
        "artifacts",
    ]
)
structured = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=40,
)


def check(body, content_type, declared, default_purl=None):
    try:
        reports = parse_report(
            body,
            content_type=content_type,
            declared_format=declared,
            max_bytes=20_000,
            max_attachment_bytes=64,
            default_purl=default_purl,
        )
    except InvalidInput:
        return
    assert reports and all(isinstance(r, ParsedReport) for r in reports)
    for report in reports:
        stored = json.loads(json.dumps(report.to_dict()))
        # What intake stores reads back as the same report (attachment bytes live elsewhere).
        assert ParsedReport.from_dict(stored) == dataclasses.replace(report, attachments=())


@SETTINGS
@given(st.binary(max_size=2_000), CONTENT_TYPES, FORMATS)
def test_arbitrary_bytes(body, content_type, declared):
    check(body, content_type, declared)


@SETTINGS
@given(json_values, CONTENT_TYPES, FORMATS)
def test_arbitrary_json(doc, content_type, declared):
    check(json.dumps(doc).encode(), content_type, declared)


@SETTINGS
@given(structured, FORMATS, st.sampled_from([None, "pkg:npm/x", "pkg:bogus/x"]))
def test_format_shaped_json(doc, declared, default_purl):
    check(json.dumps(doc).encode(), "application/json", declared, default_purl)


@SETTINGS
@given(st.text(max_size=3_000), st.sampled_from([None, "pkg:pypi/x"]))
def test_arbitrary_text(text, default_purl):
    check(text.encode("utf-8", "surrogatepass"), "text/plain", None, default_purl)


FIXTURE_DIR = __import__("pathlib").Path(__file__).parent / "fixtures"
AKRITES_DOC = {
    "title": "t",
    "description": "d",
    "package": {"purl": "pkg:pypi/x", "affected": "vers:pypi/<2", "fixed": ["2"]},
    "cwe": ["CWE-79"],
    "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "locations": [{"file": "a.c", "line": 1, "function": "f"}],
    "stack_trace": ["a"],
    "references": ["https://e.org"],
    "identifiers": ["CVE-2024-1234"],
    "attachments": [{"name": "a", "media_type": "text/plain", "content_base64": "YQ=="}],
    "credit": {"name": "A", "contact": ["x"], "type": "FINDER"},
    "tool": {"name": "t"},
}
SEEDS = [AKRITES_DOC] + [json.loads(p.read_text()) for p in sorted(FIXTURE_DIR.glob("*.json"))]


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, (*prefix, i))


def replaced(doc, path, new):
    if not path:
        return new
    head, *rest = path
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[head] = replaced(doc[head], rest, new)
    return copy


@st.composite
def mutated_seed(draw):
    """A real document with one member anywhere in it replaced by arbitrary JSON."""
    doc = draw(st.sampled_from(SEEDS))
    path = draw(st.sampled_from(list(paths(doc))))
    return replaced(doc, path, draw(structured))


@SETTINGS
@given(mutated_seed(), FORMATS)
def test_mutated_real_documents(doc, declared):
    check(json.dumps(doc).encode(), "application/json", declared, "pkg:npm/x")
