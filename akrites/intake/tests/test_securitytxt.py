"""Tests for akrites.intake.securitytxt, checked with the sectxt validator (offline)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sectxt

from akrites.intake.securitytxt import render_security_txt

CANONICAL = "https://akrites.example/.well-known/security.txt"
CSAF = "https://akrites.example/.well-known/csaf/provider-metadata.json"


def _fields(**overrides):
    fields = {
        "contact": ["https://akrites.example/report", "mailto:security@akrites.example"],
        "expires": datetime.now(UTC) + timedelta(days=180),
        "encryption_url": "https://akrites.example/.well-known/openpgp-key.asc",
        "policy_url": "https://akrites.example/policy",
        "acknowledgments_url": "https://akrites.example/thanks",
        "preferred_languages": ["en", "de", "pt-BR"],
        "canonical": [CANONICAL],
    }
    return fields | overrides


def _parse(text: str, url: str = CANONICAL) -> sectxt.Parser:
    return sectxt.Parser(text.encode("utf-8"), urls=url)


def _codes(items) -> set[str]:
    return {item["code"] for item in items}


def test_rendered_file_is_valid():
    parsed = _parse(render_security_txt(**_fields()))
    assert parsed.is_valid(), parsed.errors
    # Signing is left to the caller, so that is the one recommendation we expect.
    assert _codes(parsed.recommendations) == {"not_signed"}
    assert parsed.notifications == []
    assert parsed.preferred_languages == ["en", "de", "pt-BR"]


def test_fields_come_in_a_fixed_order_with_contacts_in_preference_order():
    text = render_security_txt(**_fields(hiring_url="https://akrites.example/jobs"))
    names = [line.split(":", 1)[0] for line in text.splitlines()]
    assert names == [
        "Contact",
        "Contact",
        "Expires",
        "Encryption",
        "Acknowledgments",
        "Policy",
        "Preferred-Languages",
        "Canonical",
        "Hiring",
    ]
    assert text.splitlines()[0] == "Contact: https://akrites.example/report"


def test_every_line_ends_with_a_line_feed():
    text = render_security_txt(**_fields())
    assert text.endswith("\n")
    assert "\r" not in text
    assert "\n\n" not in text


def test_expires_is_rfc3339_utc():
    moment = datetime(2027, 3, 1, 14, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    text = render_security_txt(**_fields(expires=moment))
    assert "Expires: 2027-03-01T12:30:15Z\n" in text


def test_naive_expires_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        render_security_txt(**_fields(expires=datetime(2027, 3, 1)))


def test_expired_date_is_reported_invalid_by_sectxt():
    text = render_security_txt(**_fields(expires=datetime.now(UTC) - timedelta(days=1)))
    parsed = _parse(text)
    assert not parsed.is_valid()
    assert _codes(parsed.errors) == {"expired"}


def test_missing_contact_is_refused_and_invalid():
    with pytest.raises(ValueError, match="Contact"):
        render_security_txt(**_fields(contact=[]))
    text = render_security_txt(**_fields())
    without_contact = "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith("Contact:")
    )
    parsed = _parse(without_contact)
    assert not parsed.is_valid()
    assert "no_contact" in _codes(parsed.errors)


def test_csaf_field_is_rendered_last_and_valid():
    text = render_security_txt(**_fields(csaf_urls=[CSAF]))
    assert text.endswith(f"CSAF: {CSAF}\n")
    parsed = _parse(text)
    assert parsed.is_valid(), parsed.errors
    assert parsed.notifications == []


def test_csaf_must_name_provider_metadata():
    with pytest.raises(ValueError, match=r"provider-metadata\.json"):
        render_security_txt(**_fields(csaf_urls=["https://akrites.example/csaf/"]))


def test_optional_fields_can_be_left_out():
    text = render_security_txt(
        contact=["mailto:security@akrites.example"],
        expires=datetime.now(UTC) + timedelta(days=30),
        encryption_url=None,
        policy_url=None,
        acknowledgments_url=None,
        preferred_languages=[],
        canonical=[],
    )
    assert [line.split(":", 1)[0] for line in text.splitlines()] == ["Contact", "Expires"]
    parsed = _parse(text)
    assert parsed.is_valid(), parsed.errors
    # sectxt recommends an Encryption field next to a mailto: contact.
    assert "no_encryption" in _codes(parsed.recommendations)


def test_canonical_must_match_where_the_file_is_served():
    parsed = _parse(render_security_txt(**_fields()), url="https://elsewhere.example/security.txt")
    assert "no_canonical_match" in _codes(parsed.errors)


def test_openpgp_fingerprint_uri_is_a_valid_encryption_value():
    fingerprint = "openpgp4fpr:586C720980C5550A1482C201AD1C0E0C5C4482C3"
    parsed = _parse(render_security_txt(**_fields(encryption_url=fingerprint)))
    assert parsed.is_valid(), parsed.errors


@pytest.mark.parametrize(
    "overrides",
    [
        {"contact": ["http://akrites.example/report"]},
        {"contact": ["security@akrites.example"]},
        {"contact": ["mailto:a@b.example\nPolicy: https://evil.example"]},
        {"policy_url": "https://akrites.example/policy page"},
        {"encryption_url": "ftp://akrites.example/key.asc"},
        {"canonical": ["https:///security.txt"]},
        {"acknowledgments_url": ""},
        {"preferred_languages": ["en, de"]},
        {"preferred_languages": ["english language"]},
    ],
)
def test_values_that_would_make_an_invalid_file_are_refused(overrides):
    with pytest.raises(ValueError):
        render_security_txt(**_fields(**overrides))
