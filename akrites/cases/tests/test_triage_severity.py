"""CVSS scoring against known official scores, and CWE names; bad input per field."""

from decimal import Decimal

import pytest

from akrites.cases.triage.severity import cwe_name, parse_cvss
from akrites.core.errors import InvalidInput

# Scores from the FIRST specifications' examples and calculators.
KNOWN = [
    # CVSS 3.1: the classic network RCE, and the specification's phpMyAdmin XSS example.
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", "9.8", "Critical"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "3.1", "6.1", "Medium"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "3.1", "10.0", "Critical"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", "3.1", "0.0", "None"),
    # CVSS 4.0: the calculator's default (all vulnerable-system impacts high) is 9.3.
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", "9.3", "Critical"),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", "4.0", "10.0", "Critical"),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", "4.0", "0.0", "None"),
]


@pytest.mark.parametrize(("vector", "version", "score", "rating"), KNOWN)
def test_known_vectors_score_as_published(vector, version, score, rating):
    severity = parse_cvss(vector)
    assert (severity.version, severity.score, severity.rating) == (version, Decimal(score), rating)
    assert severity.vector == vector


def test_cvss4_json_is_built_by_us_and_schema_shaped():
    doc = parse_cvss(KNOWN[4][0]).as_json()
    assert doc == {
        "version": "4.0",
        "vectorString": KNOWN[4][0],
        "baseScore": 9.3,
        "baseSeverity": "CRITICAL",
    }


@pytest.mark.parametrize(
    ("vector", "message"),
    [
        ("", "required"),
        ("   ", "required"),
        ("CVSS:3.1/AV:N", "Missing mandatory metrics"),
        ("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 'Unknown value "Q"'),
        ("CVSS:4.0/AV:N/AC:L", "Missing mandatory metrics"),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1 or 4.0"),
        ("AV:N/AC:L/Au:N/C:C/I:C/A:C", "3.1 or 4.0"),
        ("CVSS:3.1/" + "AV:N/" * 100, "not a valid CVSS vector"),
    ],
)
def test_invalid_vectors_blame_the_vector_field(vector, message):
    with pytest.raises(InvalidInput) as err:
        parse_cvss(vector)
    assert err.value.field == "vector"
    assert message in err.value.message


def test_cwe_names_come_from_the_catalogue():
    assert cwe_name("cwe-079") == (
        "CWE-79",
        "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [("CWE-999999", "not in the CWE catalogue"), ("79", "CWE-<number>"), ("CWE-x", "CWE-<number>")],
)
def test_unknown_or_malformed_cwe_is_refused(value, message):
    with pytest.raises(InvalidInput) as err:
        cwe_name(value)
    assert err.value.field == "cwe" and message in err.value.message
