"""Rendering of the platform's ``/.well-known/security.txt`` (RFC 9116).

A pure function of its arguments: the caller reads settings, chooses ``expires`` and serves
the text as ``text/plain; charset=utf-8``. Invalid arguments are configuration mistakes, so
they raise ``ValueError`` instead of producing a file that scanners would reject.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

# RFC 9116 §2.2 allows CRLF or LF; LF keeps the file identical to what is on disk in tests.
_EOL = "\n"

# Whitespace and control characters cannot occur in a URI; rejecting them also stops a
# value from starting a new field.
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")
# The shape of an RFC 5646 language tag (not its registry), enough to keep the field parseable.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_WEB = frozenset({"https"})
_CONTACT = frozenset({"https", "mailto", "tel"})
_ENCRYPTION = frozenset({"https", "openpgp4fpr", "dns"})


def render_security_txt(
    *,
    contact: Sequence[str],
    expires: datetime,
    encryption_url: str | None,
    policy_url: str | None,
    acknowledgments_url: str | None,
    preferred_languages: Sequence[str],
    canonical: Sequence[str],
    csaf_urls: Sequence[str] = (),
    hiring_url: str | None = None,
) -> str:
    """Return the text of a security.txt file with the given fields.

    Guarantees: at least one ``Contact`` (in the caller's order, which RFC 9116 §2.5.3 reads
    as preference), exactly one ``Expires`` in RFC 3339 UTC (``2026-05-01T00:00:00Z``), at
    most one ``Preferred-Languages``; every line ends with LF, including the last. Fields
    come in a fixed order: required ones first, then the optional ones, extension fields
    (``CSAF``) last.

    ``expires`` must be timezone-aware; the function does not compare it with the clock
    (RFC 9116 recommends less than a year ahead; choosing it is the caller's job).
    Web URIs must be ``https://``; ``Contact`` may also be ``mailto:`` or ``tel:``,
    ``Encryption`` may also be ``openpgp4fpr:`` or ``dns:``; ``CSAF`` must name a
    ``provider-metadata.json`` (CSAF 2.0 §7.1.8). Raises ``ValueError`` otherwise.
    """
    if not contact:
        raise ValueError("security.txt needs at least one Contact")
    fields: list[tuple[str, str]] = []
    fields += _each("Contact", contact, _CONTACT)
    fields.append(("Expires", _rfc3339_utc(expires)))
    fields += _each("Encryption", _present(encryption_url), _ENCRYPTION)
    fields += _each("Acknowledgments", _present(acknowledgments_url), _WEB)
    fields += _each("Policy", _present(policy_url), _WEB)
    if preferred_languages:
        fields.append(("Preferred-Languages", _languages(preferred_languages)))
    fields += _each("Canonical", canonical, _WEB)
    fields += _each("Hiring", _present(hiring_url), _WEB)
    for url in csaf_urls:
        if not url.endswith("/provider-metadata.json"):
            raise ValueError("CSAF must point to a provider-metadata.json file")
    fields += _each("CSAF", csaf_urls, _WEB)
    return "".join(f"{name}: {value}{_EOL}" for name, value in fields)


def _present(value: str | None) -> list[str]:
    return [] if value is None else [value]


def _each(name: str, values: Iterable[str], schemes: frozenset[str]) -> list[tuple[str, str]]:
    return [(name, _uri(name, value, schemes)) for value in values]


def _uri(name: str, value: str, schemes: frozenset[str]) -> str:
    if not value or _UNSAFE.search(value):
        raise ValueError(f"{name} must be a URI without spaces or control characters")
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ValueError(f"{name} must be a URI with one of the schemes: {allowed}")
    if parts.scheme == "https" and not parts.netloc:
        raise ValueError(f"{name} must be an absolute https:// URL")
    return value


def _rfc3339_utc(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Expires must be a timezone-aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _languages(tags: Sequence[str]) -> str:
    for tag in tags:
        if not _LANGUAGE_TAG.fullmatch(tag):
            raise ValueError("Preferred-Languages must be RFC 5646 language tags")
    return ", ".join(tags)
