"""Security contacts from security.txt and SECURITY.md: valid, invalid, expired."""

from datetime import UTC, datetime

import pytest

from akrites.projects.contacts import parse_security_md, parse_security_txt

NOW = datetime(2026, 6, 1, tzinfo=UTC)
GOOD = (
    b"Contact: mailto:security@yamlkit.org\n"
    b"Contact: https://github.com/yamlkit/yamlkit/security/advisories/new\n"
    b"Expires: 2026-12-31T23:59:59Z\n"
    b"Encryption: https://yamlkit.org/pgp.asc\n"
    b"Policy: https://yamlkit.org/security\n"
)


def test_valid_security_txt():
    parsed = parse_security_txt(GOOD, at=NOW)
    assert parsed.status == "valid" and parsed.problems == ()
    assert [c.address for c in parsed.contacts] == [
        "mailto:security@yamlkit.org",
        "https://github.com/yamlkit/yamlkit/security/advisories/new",
    ]
    assert all(c.status == "valid" for c in parsed.contacts)
    assert parsed.expires_at == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert parsed.policy_url == "https://yamlkit.org/security"


def test_expiry_follows_the_platform_clock_not_the_wall_clock():
    later = datetime(2027, 1, 1, tzinfo=UTC)
    parsed = parse_security_txt(GOOD, at=later)
    assert parsed.status == "expired"
    assert [p.field for p in parsed.problems] == ["expires"]
    assert all(c.status == "expired" and c.problem for c in parsed.contacts)
    # A file long expired by the wall clock is valid at a platform instant before its expiry.
    old = GOOD.replace(b"2026-12-31", b"2020-12-31")
    assert parse_security_txt(old, at=datetime(2020, 6, 1, tzinfo=UTC)).status == "valid"


@pytest.mark.parametrize(
    ("content", "field_or_code"),
    [
        (b"", "content"),
        (b"Contact: mailto:a@b.org\n", "no_expire"),
        (b"Expires: 2026-12-31T23:59:59Z\n", "no_contact"),
        (b"Contact: mailto:a@b.org\nExpires: tomorrow\n", "line 2"),
        (
            b"Contact: mailto:a@b.org\nthis is not a field\nExpires: 2026-12-31T23:59:59Z\n",
            "line 2",
        ),
        (b"Contact: http://insecure.example\nExpires: 2026-12-31T23:59:59Z\n", "line 1"),
        (b"x" * (64 * 1024 + 1), "content"),
    ],
)
def test_malformed_security_txt_is_invalid_with_its_problems(content, field_or_code):
    parsed = parse_security_txt(content, at=NOW)
    assert parsed.status == "invalid"
    assert field_or_code in {p.field for p in parsed.problems}, parsed.problems
    assert all(p.message for p in parsed.problems)


def test_a_bad_contact_uri_is_flagged_on_its_own():
    content = b"Contact: security@yamlkit.org\nExpires: 2026-12-31T23:59:59Z\n"
    parsed = parse_security_txt(content, at=NOW)
    assert parsed.status == "invalid"
    assert parsed.contacts[0].status == "invalid" and "URI" in parsed.contacts[0].problem


def test_security_md_contacts():
    md = (
        b"# Security policy\n\nPlease use "
        b"[private reporting](https://github.com/yamlkit/yamlkit/security/advisories/new)\n"
        b"or write to <security@yamlkit.org> (PGP on request). security@yamlkit.org again.\n"
    )
    parsed = parse_security_md(md)
    assert parsed.status == "valid"
    assert [c.address for c in parsed.contacts] == [
        "https://github.com/yamlkit/yamlkit/security/advisories/new",
        "mailto:security@yamlkit.org",
    ]


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"", "content"),
        (b"   \n", "content"),
        (b"\xff\xfe not utf-8", "content"),
        (b"# Security\n\nOpen a public issue.\n", "contact"),
    ],
)
def test_malformed_security_md(content, field):
    parsed = parse_security_md(content)
    assert parsed.status == "invalid" and parsed.problems[0].field == field
