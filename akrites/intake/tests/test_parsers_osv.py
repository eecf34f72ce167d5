"""OSV documents: fixtures that validate against the official schema, range conversion to
``vers``, and the bad-input table."""

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from akrites.core import schemas
from akrites.core.errors import InvalidInput
from akrites.intake.parsers import PackageRef, parse_report
from akrites.intake.parsers.osv import _to_constraints

FIXTURES = Path(__file__).parent / "fixtures"
OSV_FIXTURES = sorted(FIXTURES.glob("*.osv.json"))


def load(name):
    return json.loads((FIXTURES / name).read_text())


def parse(doc):
    body = json.dumps(doc).encode()
    return parse_report(
        body,
        content_type="application/json",
        declared_format="osv",
        max_bytes=1_000_000,
        max_attachment_bytes=1_000,
    )


@pytest.mark.parametrize("path", OSV_FIXTURES, ids=lambda p: p.name)
def test_fixture_is_valid_osv(path):
    schema = schemas.schema("osv")
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(json.loads(path.read_text()))]
    assert errors == []


def test_pypi_record_is_normalised():
    [report] = parse(load("osv-pypi.osv.json"))
    assert report.source_format == "osv"
    assert report.title == "Path traversal in example-archive extract()"
    assert report.package == PackageRef(
        purl="pkg:pypi/example-archive",
        affected="vers:pypi/<1.4.2|>=2.0.0|<2.0.3",
        fixed=("1.4.2", "2.0.3"),
    )
    assert report.identifiers == ("PYSEC-2024-1234", "CVE-2024-12345", "GHSA-2xr9-pxmw-jg8q")
    assert report.cwe == ("CWE-22",)  # NVD-CWE-noinfo is a placeholder, not an error
    assert report.cvss.startswith("CVSS:4.0/")  # 4.0 preferred over 3.1
    assert report.credits[0].name == "Ada Reporter"
    assert len(report.references) == 2
    assert report.extra["git_ranges"] == [
        {
            "repo": "https://github.com/example/archive",
            "events": [{"introduced": "0"}, {"fixed": "3f786850e387550fdab836ed7e6dc881de23001b"}],
        }
    ]


def test_maven_and_go_packages_become_purls():
    [report] = parse(load("osv-maven-go.osv.json"))
    assert report.package == PackageRef(
        purl="pkg:maven/org.apache.logging.log4j/log4j-core",
        affected="vers:maven/>=2.0-beta9|<2.15.0",
        fixed=("2.15.0",),
    )
    assert report.extra["other_packages"] == [
        {
            "purl": "pkg:golang/github.com/example/jndi-shim",
            "affected": "vers:golang/>=1.2.0|<=1.3.4",
            "fixed": [],
        }
    ]


@pytest.mark.parametrize(
    ("ecosystem", "name", "purl"),
    [
        ("npm", "@babel/core", "pkg:npm/%40babel/core"),
        ("crates.io", "regex", "pkg:cargo/regex"),
        ("RubyGems", "rack", "pkg:gem/rack"),
        ("NuGet", "Newtonsoft.Json", "pkg:nuget/Newtonsoft.Json"),
        ("Packagist", "symfony/http-kernel", "pkg:composer/symfony/http-kernel"),
        ("Hex", "plug", "pkg:hex/plug"),
        ("Pub", "http", "pkg:pub/http"),
        ("Debian:12", "openssl", "pkg:deb/debian/openssl"),
        ("Alpine:v3.19", "busybox", "pkg:apk/alpine/busybox"),
    ],
)
def test_ecosystem_mapping(ecosystem, name, purl):
    doc = {
        "id": "OSV-2024-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": ecosystem, "name": name}}],
    }
    assert parse(doc)[0].package.purl == purl


@pytest.mark.parametrize(
    ("events", "constraints"),
    [
        ([{"introduced": "0"}], ["*"]),
        ([{"introduced": "0"}, {"fixed": "1.2"}], ["<1.2"]),
        ([{"introduced": "1.0"}], [">=1.0"]),
        ([{"introduced": "1.0"}, {"last_affected": "1.1"}], [">=1.0", "<=1.1"]),
        ([{"introduced": "1.0"}, {"introduced": "1.1"}, {"fixed": "2"}], [">=1.0", "<2"]),
        ([{"fixed": "0.9"}, {"introduced": "1.0"}, {"fixed": "2"}], [">=1.0", "<2"]),
        ([{"introduced": "1.0"}, {"limit": "3"}], [">=1.0"]),
    ],
)
def test_events_to_vers_constraints(events, constraints):
    assert _to_constraints(events) == constraints


def test_unorderable_versions_keep_the_report_without_a_range():
    doc = {
        "id": "OSV-2024-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "x"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "not.a.pep440.version!"}]}
                ],
            }
        ],
    }
    [report] = parse(doc)
    assert report.package.affected is None
    assert report.extra["vers_unavailable"] == [0]


def mutate(path, value):
    doc = copy.deepcopy(load("osv-pypi.osv.json"))
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
        (mutate("id", None), "id"),
        (mutate("modified", None), "modified"),
        (mutate("modified", "yesterday"), "modified"),
        (mutate("affected", {}), "affected"),
        (mutate("affected.0.package.ecosystem", "Gopher"), "affected[0].package.ecosystem"),
        (mutate("affected.0.package.ecosystem", "Android"), "affected[0].package.ecosystem"),
        (mutate("affected.0.package.name", None), "affected[0].package.name"),
        (mutate("affected.0.package.purl", "pkg:npm/x"), "affected[0].package.purl"),
        (mutate("affected.0.package.purl", "pkg:pypi"), "affected[0].package.purl"),
        (mutate("affected.0.ranges.0.type", "RANGE"), "affected[0].ranges[0].type"),
        (mutate("affected.0.ranges.0.events", []), "affected[0].ranges[0].events"),
        (mutate("affected.0.ranges.0.events", [{"fixed": "1"}]), "affected[0].ranges[0].events"),
        (
            mutate("affected.0.ranges.0.events.1", {"fixed": "1", "introduced": "0"}),
            "affected[0].ranges[0].events[1]",
        ),
        (
            mutate("affected.0.ranges.0.events.1.fixed", "1 | 2"),
            "affected[0].ranges[0].events[1].fixed",
        ),
        (
            mutate("affected.0.ranges.0.events.3", {"last_affected": "2.0.2"}),
            "affected[0].ranges[0].events",
        ),
        (
            mutate("affected.0.ranges.1.events.1.fixed", "3f786850e3"),
            "affected[0].ranges[1].events[1].fixed",
        ),
        (mutate("affected.0.ranges.1.repo", None), "affected[0].ranges[1].repo"),
        (mutate("aliases", ["not an id"]), "aliases[0]"),
        (mutate("severity.0.score", "CVSS:3.1/AV:N"), "severity[0].score"),
        (mutate("severity.1.score", "CVSS:4.0/AV:X"), "severity[1].score"),
        (mutate("severity.0.type", "CVSS_V5"), "severity[0].type"),
        (mutate("references.0.url", "ftp://example.org"), "references[0].url"),
        (mutate("database_specific.cwe_ids", ["CWE-999999"]), "database_specific.cwe_ids[0]"),
        (mutate("credits.0.type", "HERO"), "credits[0].type"),
    ],
)
def test_rejects_invalid_osv(doc, field):
    with pytest.raises(InvalidInput) as exc:
        parse(doc)
    assert exc.value.field == field


def test_cvss_30_and_v2_are_kept_aside_not_chosen():
    doc = mutate(
        "severity",
        [
            {"type": "CVSS_V3", "score": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
            {"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:P/A:P"},
        ],
    )
    [report] = parse(doc)
    assert report.cvss is None
    assert [s["type"] for s in report.extra["severity_other"]] == ["CVSS_V3", "CVSS_V2"]
