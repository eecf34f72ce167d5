"""Disclosure settings, read from the environment when used (typed readers, loud failures).

| variable | meaning |
|---|---|
| ``AKRITES_CNA_BACKEND`` | ``local`` (a reserved block), ``cve-services`` or empty (no CVE work) |
| ``AKRITES_CVE_BLOCK`` | local block: ``CVE-2026-50000..CVE-2026-50099,CVE-2027-1000`` |
| ``AKRITES_CVE_ORG`` / ``AKRITES_CVE_USER`` / ``AKRITES_CVE_API_KEY(_FILE)`` | CVE Services |
| ``AKRITES_CVE_API_URL`` | CVE Services base URL (default: the CVE Program's test instance) |
| ``AKRITES_CVE_TIMEOUT`` | seconds per CVE Services request (default 20) |
| ``AKRITES_CVE_ORG_ID`` | our CNA's org UUID, written in rendered CVE records |
| ``AKRITES_OSV_PREFIX`` | OSV id prefix (default ``x_``, until our prefix is registered) |
| ``AKRITES_SIGNING_KEY(_FILE)`` | Ed25519 private key (PEM); else ``var/signing-key.pem`` |
| ``AKRITES_PUBLISHER_NAME`` | the publisher named in documents (default ``Akrites``) |
"""

from __future__ import annotations

import re

from django.conf import settings

from akrites.core.env import ConfigError, env_int, env_str

_CVE = re.compile(r"^CVE-(\d{4})-(\d{4,19})$")
DEFAULT_ORG_ID = "00000000-0000-4000-8000-000000000000"
CVE_TEST_URL = "https://cveawg-test.mitre.org/api/"


def base_url() -> str:
    return str(settings.AKRITES_BASE_URL)


def publisher_name() -> str:
    return env_str("AKRITES_PUBLISHER_NAME", "Akrites")


def osv_prefix() -> str:
    return env_str("AKRITES_OSV_PREFIX", "x_")


def cna_backend_name() -> str:
    name = env_str("AKRITES_CNA_BACKEND", "").strip()
    if name not in ("", "local", "cve-services"):
        raise ConfigError("AKRITES_CNA_BACKEND must be local, cve-services or empty")
    return name


def cve_org_id() -> str:
    return env_str("AKRITES_CVE_ORG_ID", DEFAULT_ORG_ID)


def cve_timeout() -> int:
    return env_int("AKRITES_CVE_TIMEOUT", 20, minimum=1)


def cve_api_url() -> str:
    return env_str("AKRITES_CVE_API_URL", CVE_TEST_URL)


def cve_block() -> list[str]:
    """Every id of the local block, in order. Ranges are inclusive and within one year."""
    ids: list[str] = []
    for item in env_str("AKRITES_CVE_BLOCK", "").split(","):
        item = item.strip()
        if not item:
            continue
        first, _, last = item.partition("..")
        a, b = _CVE.match(first), _CVE.match(last or first)
        if not a or not b or a.group(1) != b.group(1) or int(b.group(2)) < int(a.group(2)):
            raise ConfigError(f"AKRITES_CVE_BLOCK: bad entry {item!r}")
        width = len(a.group(2))
        ids += [
            f"CVE-{a.group(1)}-{n:0{width}d}" for n in range(int(a.group(2)), int(b.group(2)) + 1)
        ]
    return ids
