"""SARIF 2.1.0 logs: hand-written fixtures valid against the official schema, one report per
finding, and structural errors named by SARIF path."""

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from akrites.core import schemas
from akrites.core.errors import InvalidInput
from akrites.intake.parsers import Location, PackageRef, parse_report

FIXTURES = Path(__file__).parent / "fixtures"
SARIF_FIXTURES = sorted(FIXTURES.glob("*.sarif.json"))


def load(name):
    return json.loads((FIXTURES / name).read_text())


def parse(doc, default_purl=None, declared_format=None):
    body = json.dumps(doc).encode()
    return parse_report(
        body,
        content_type="application/sarif+json",
        declared_format=declared_format,
        max_bytes=1_000_000,
        max_attachment_bytes=1_000,
        default_purl=default_purl,
    )


@pytest.mark.parametrize("path", SARIF_FIXTURES, ids=lambda p: p.name)
def test_fixture_is_valid_sarif(path):
    schema = schemas.schema("sarif")
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(json.loads(path.read_text()))]
    assert errors == []


def test_one_report_per_finding_with_rule_metadata():
    reports = parse(load("sarif-codeql.sarif.json"))
    assert len(reports) == 2  # the third result is kind "pass"
    xss, sqli = reports
    assert {r.source_format for r in reports} == {"sarif"}
    assert xss.title == "Reflected server-side cross-site scripting"
    assert xss.description.startswith("Cross-site scripting vulnerability")
    assert "Escape user input" in xss.description
    assert xss.package == PackageRef(purl="pkg:pypi/example-web@2.3.0")
    assert xss.cwe == ("CWE-79", "CWE-116")
    assert xss.locations == (Location("app/views.py", 42, "app.views.greet"),)
    assert xss.stack_trace == ("app/views.py:40", "app/views.py:42 in greet")
    assert xss.fingerprints == ("primaryLocationLineHash:f3c4a5d1e2b3c4d5:1",)
    assert xss.tool.name == "CodeQL" and xss.tool.version == "2.19.3"
    assert xss.extra["rule_id"] == "py/reflective-xss"
    assert xss.extra["security_severity"] == "6.1"
    # message by id with arguments, rule by reference, file by artifact index, CWE by taxa
    assert sqli.description == "This SQL query depends on a user-provided value."
    assert sqli.cwe == ("CWE-89",)
    assert sqli.locations == (Location("app/db.py", 7, None),)


def test_package_comes_from_default_purl_when_the_log_names_none():
    [report] = parse(load("sarif-minimal.sarif.json"), default_purl="pkg:github/Example/Reader")
    assert report.package.purl == "pkg:github/example/reader"
    assert report.title == "Avoid 'gets()'. It does not check bounds."
    assert report.cwe == ("CWE-676",)  # tag CWE-99999 is unknown: dropped, not an error
    assert report.tool.version == "1.90.0"


def test_run_purl_wins_over_default_purl():
    reports = parse(load("sarif-codeql.sarif.json"), default_purl="pkg:npm/other")
    assert {r.package.purl for r in reports} == {"pkg:pypi/example-web@2.3.0"}


def test_rule_id_that_is_a_cve_becomes_an_identifier():
    doc = load("sarif-minimal.sarif.json")
    doc["runs"][0]["results"][0]["ruleId"] = "CVE-2021-44228"
    assert parse(doc, "pkg:npm/x")[0].identifiers == ("CVE-2021-44228",)


def mutate(path, value, name="sarif-codeql.sarif.json"):
    doc = copy.deepcopy(load(name))
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


R = "runs.0.results"


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        (mutate("version", "2.0.0"), "version"),
        (mutate("runs", None), "runs"),
        (mutate("runs", {}), "runs"),
        (mutate("runs", []), "runs"),
        (mutate("runs.0", "run"), "runs[0]"),
        (mutate("runs.0.tool", None), "runs[0].tool"),
        (mutate("runs.0.tool.driver.name", None), "runs[0].tool.driver.name"),
        (mutate("runs.0.tool.driver.rules.0.id", None), "runs[0].tool.driver.rules[0].id"),
        (mutate("runs.0.properties.purl", "pkg:nosuchtype/x"), "runs[0].properties.purl"),
        (mutate(R, "results"), "runs[0].results"),
        (mutate(f"{R}.0.message", None), "runs[0].results[0].message"),
        (mutate(f"{R}.0.message", {"id": "nope"}), "runs[0].results[0].message"),
        (mutate(f"{R}.0.message.text", 7), "runs[0].results[0].message.text"),
        (mutate(f"{R}.0.ruleId", 7), "runs[0].results[0].ruleId"),
        (mutate(f"{R}.0.ruleIndex", 9), "runs[0].results[0].ruleIndex"),
        (mutate(f"{R}.0.ruleIndex", -2), "runs[0].results[0].ruleIndex"),
        (mutate(f"{R}.1.rule.index", 2), "runs[0].results[1].rule.index"),
        (
            mutate(f"{R}.1.rule.toolComponent", {"index": 3}),
            "runs[0].results[1].rule.toolComponent",
        ),
        (
            mutate(f"{R}.1.locations.0.physicalLocation.artifactLocation.index", 5),
            "runs[0].results[1].locations[0].physicalLocation.artifactLocation.index",
        ),
        (
            mutate(f"{R}.0.locations.0.physicalLocation.region.startLine", "42"),
            "runs[0].results[0].locations[0].physicalLocation.region.startLine",
        ),
        (mutate(f"{R}.0.partialFingerprints", ["x"]), "runs[0].results[0].partialFingerprints"),
        (
            mutate(f"{R}.0.codeFlows.0.threadFlows", "x"),
            "runs[0].results[0].codeFlows[0].threadFlows",
        ),
        (mutate("runs.0.properties", None), "package.purl"),  # no package, no default_purl
    ],
)
def test_rejects_malformed_sarif(doc, field):
    with pytest.raises(InvalidInput) as exc:
        parse(doc, declared_format="sarif")
    assert exc.value.field == field


def test_minus_one_indices_mean_not_given():
    doc = mutate(f"{R}.0.ruleIndex", -1)
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "index"
    ] = -1
    assert parse(doc)[0].extra["rule_id"] == "py/reflective-xss"


def test_log_with_only_passing_results_is_rejected():
    doc = mutate(R, [{"ruleId": "x", "kind": "pass", "message": {"text": "ok"}}])
    with pytest.raises(InvalidInput) as exc:
        parse(doc)
    assert exc.value.field == "runs"


@pytest.mark.parametrize(
    ("runs", "per_run", "field"), [(1, 1001, "runs[0].results"), (3, 400, "runs")]
)
def test_too_many_results_are_refused(runs, per_run, field):
    run = load("sarif-minimal.sarif.json")["runs"][0]
    run["results"] = run["results"] * per_run
    with pytest.raises(InvalidInput) as exc:
        parse({"version": "2.1.0", "runs": [run] * runs}, "pkg:npm/x")
    assert exc.value.field == field
    assert "1000" in exc.value.message
