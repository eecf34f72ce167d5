"""The Akrites report JSON format (``akrites-report/1``)."""

import base64
import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from akrites.core.errors import InvalidInput, TooLarge
from akrites.intake.parsers import (
    Attachment,
    Credit,
    Location,
    PackageRef,
    ParsedReport,
    Tool,
    parse_report,
)

FULL: dict[str, Any] = {
    "format": "akrites-report/1",
    "title": "Heap overflow in   parse_header",
    "description": "A crafted header overflows a stack buffer.",
    "package": {
        "purl": "pkg:pypi/Example_Lib",
        "affected": "vers:pypi/<1.4.2|>=1.0",
        "fixed": ["1.4.2", "1.4.2"],
    },
    "cwe": ["cwe-0787", "CWE-121"],
    "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X",
    "locations": [{"file": "src/hdr.c", "line": 120, "function": "parse_header"}],
    "stack_trace": "#0 0x1 in parse_header src/hdr.c:120\n\n#1 0x2 in main src/main.c:9\n",
    "references": ["https://example.org/bug/1", "https://example.org/bug/1"],
    "attachments": [
        {
            "name": "poc.bin",
            "media_type": "Application/Octet-Stream",
            "content_base64": base64.b64encode(b"\x00\x01crash").decode(),
        },
    ],
    "credit": {"name": "Ada", "contact": "mailto:ada@example.org"},
    "identifiers": ["cve-2024-1234"],
    "tool": {"name": "libFuzzer", "version": "18"},
    "x_vendor_ticket": {"id": 7},
}


def parse(doc, **kw):
    kw.setdefault("max_bytes", 1_000_000)
    kw.setdefault("max_attachment_bytes", 1_000)
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return parse_report(body, content_type="application/json", declared_format=None, **kw)


def test_full_document_is_normalised():
    [report] = parse(FULL)
    assert report.source_format == "akrites"
    assert report.title == "Heap overflow in parse_header"
    assert report.package == PackageRef(
        purl="pkg:pypi/example-lib", affected="vers:pypi/>=1.0|<1.4.2", fixed=("1.4.2",)
    )
    assert report.cwe == ("CWE-787", "CWE-121")
    assert report.cvss == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    assert report.locations == (Location("src/hdr.c", 120, "parse_header"),)
    assert report.stack_trace == (
        "#0 0x1 in parse_header src/hdr.c:120",
        "#1 0x2 in main src/main.c:9",
    )
    assert report.references == ("https://example.org/bug/1",)
    assert report.attachments == (
        Attachment("poc.bin", "application/octet-stream", b"\x00\x01crash"),
    )
    assert report.credits == (Credit("Ada", ("mailto:ada@example.org",), "FINDER"),)
    assert report.identifiers == ("CVE-2024-1234",)
    assert report.tool is not None and report.tool.name == "libFuzzer"
    assert report.extra == {"extensions": {"x_vendor_ticket": {"id": 7}}}


def test_to_dict_is_json_serialisable_and_round_trips_attachments():
    data = json.loads(json.dumps(parse(FULL)[0].to_dict()))
    assert base64.b64decode(data["attachments"][0]["content_base64"]) == b"\x00\x01crash"
    assert data["attachments"][0]["size"] == 7
    assert data["package"]["affected"] == "vers:pypi/>=1.0|<1.4.2"


def test_minimal_document_and_cvss4():
    doc = {
        "title": "t",
        "description": "d",
        "cvss": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    }
    [report] = parse(doc)
    assert report.package is None
    assert report.cvss.startswith("CVSS:4.0/")


def test_default_purl_fills_a_missing_package_only():
    [report] = parse({"title": "t", "description": "d"}, default_purl="pkg:npm/left-pad")
    assert report.package == PackageRef(purl="pkg:npm/left-pad")
    assert parse(FULL, default_purl="pkg:npm/left-pad")[0].package.purl == "pkg:pypi/example-lib"


def test_stack_trace_as_list_keeps_head_and_tail_of_deep_traces():
    doc = {"title": "t", "description": "d", "stack_trace": [f"frame {i}" for i in range(500)]}
    [report] = parse(doc)
    assert len(report.stack_trace) == 200
    assert report.stack_trace[0] == "frame 0" and report.stack_trace[-1] == "frame 499"
    assert report.extra["truncated"] == {"stack_trace": 300}


def with_(path, value):
    """FULL with one member replaced (``None`` deletes it); ``path`` is dotted/indexed."""
    doc = copy.deepcopy(FULL)
    *parents, last = path.split(".")
    target = doc
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    key = int(last) if last.isdigit() else last
    if value is None:
        del target[key]
    else:
        target[key] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        (with_("format", "akrites-report/2"), "format"),
        (with_("title", None), "title"),
        (with_("title", "   "), "title"),
        (with_("title", "x" * 301), "title"),
        (with_("title", 5), "title"),
        (with_("title", "\u202e\x1b"), "title"),
        (with_("cvs", "typo"), "cvs"),  # unknown top-level member: strict
        (with_("package.version", "1"), "package.version"),
        (with_("package.purl", "not a purl"), "package.purl"),
        (with_("package.purl", "pkg:nosuchtype/x"), "package.purl"),
        (with_("package.purl", "pkg:maven/no-namespace"), "package.purl"),
        (with_("package.affected", "vers:pypi/>=abc"), "package.affected"),
        (with_("package.affected", "vers:pypi/>=1.0|>=1.1"), "package.affected"),
        (with_("package.affected", "vers:npm/<1.0.0"), "package.affected"),  # scheme ≠ type
        (with_("package.affected", "pypi/<1"), "package.affected"),
        (with_("package.fixed", ["1.0|2.0"]), "package.fixed[0]"),
        (with_("cwe", ["CWE-999999"]), "cwe[0]"),
        (with_("cwe", ["CWE-79", "XSS"]), "cwe[1]"),
        (with_("cwe", "CWE-79"), "cwe"),
        (with_("cvss", "CVSS:3.1/AV:N"), "cvss"),
        (with_("cvss", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "cvss"),
        (with_("cvss", "AV:N/AC:L/Au:N/C:P/I:P/A:P"), "cvss"),
        (with_("locations", [{"line": 3}]), "locations[0]"),
        (with_("locations", [{"file": "a", "line": 0}]), "locations[0].line"),
        (with_("locations", [{"file": "a", "line": True}]), "locations[0].line"),
        (with_("stack_trace", 5), "stack_trace"),
        (with_("references", ["javascript:alert(1)"]), "references[0]"),
        (with_("references", ["https://user:pw@example.org/"]), "references[0]"),
        (with_("references", ["https://"]), "references[0]"),
        (with_("references", ["https://example.org/" + str(i) for i in range(101)]), "references"),
        (with_("attachments.0.name", "../etc/passwd"), "attachments[0].name"),
        (with_("attachments.0.media_type", "not a type"), "attachments[0].media_type"),
        (with_("attachments.0.content_base64", "***"), "attachments[0].content_base64"),
        (with_("attachments", [FULL["attachments"][0]] * 11), "attachments"),
        (with_("credit", {"name": "A", "type": "HERO"}), "credit.type"),
        (with_("credit", [{"contact": []}]), "credit[0].name"),
        (with_("identifiers", ["not an id"]), "identifiers[0]"),
        (with_("tool", {"version": "1"}), "tool.name"),
        ([FULL], "body"),
    ],
)
def test_rejects_invalid_members(doc, field):
    with pytest.raises(InvalidInput) as exc:
        parse_report(
            json.dumps(doc).encode(),
            content_type="application/json",
            declared_format="akrites",
            max_bytes=1_000_000,
            max_attachment_bytes=1_000,
        )
    assert exc.value.field == field


def test_oversize_attachment_is_too_large():
    doc = with_("attachments.0.content_base64", base64.b64encode(b"x" * 1001).decode())
    with pytest.raises(TooLarge) as exc:
        parse(doc)
    assert exc.value.field == "attachments[0].content_base64"


def test_attachment_at_the_limit_with_mime_line_breaks_is_accepted():
    encoded = base64.encodebytes(b"y" * 1000).decode()  # 76-column lines
    [report] = parse(with_("attachments.0.content_base64", encoded))
    assert report.attachments[0].size == 1000


def test_oversize_description_is_too_large():
    doc = with_("description", "d" * 1_000_001)
    with pytest.raises(TooLarge) as exc:
        parse(doc, max_bytes=2_000_000)
    assert exc.value.field == "description"


def test_documented_example_parses():
    doc_path = Path(__file__).resolve().parents[3] / "docs" / "formats" / "akrites-report.md"
    example = doc_path.read_text().split("```json\n", 1)[1].split("```", 1)[0]
    [report] = parse(example.encode())
    assert report.package.affected == "vers:pypi/>=1.0|<1.4.2"
    assert report.attachments[0].content == b"\x00\x01\x02"
    assert report.extra == {"extensions": {"x_vendor_ticket": "SEC-881"}}


def test_a_stored_report_reads_back_whole_but_attachment_bytes() -> None:
    report = ParsedReport(
        title="Overflow in parse_header",
        source_format="sarif",
        description="Heap overflow.",
        package=PackageRef(purl="pkg:pypi/quill", affected="vers:pypi/<2.0", fixed=("2.0",)),
        cwe=("CWE-787",),
        cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        locations=(Location(file="quill/hdr.c", line=12, function="parse_header"),),
        stack_trace=("#0 parse_header quill/hdr.c:12",),
        references=("https://example.org/fix",),
        attachments=(
            Attachment(name="poc.bin", media_type="application/octet-stream", content=b"x"),
        ),
        identifiers=("CVE-2031-0001",),
        fingerprints=("primaryLocationLineHash:abc",),
        credits=(Credit(name="Ada", contact=("mailto:ada@example.org",), type="REPORTER"),),
        tool=Tool(name="fuzzer", version="1.0"),
        extra={"rule": "cpp/overflow"},
    )
    back = ParsedReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert back == dataclasses.replace(report, attachments=())
