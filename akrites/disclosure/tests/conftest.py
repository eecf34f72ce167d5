"""Fixtures for disclosure tests: a signing key, a case ready to disclose, a full draft, and
a fake CVE Services on loopback."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from akrites.disclosure.tests.cve_fake import API_KEY, ORG, USER, FakeCveServices

MARKER = "ZZMARKER"

CONTENT: dict[str, Any] = {
    "summary": "Billion laughs in yamlkit.load",
    "details": "Nested aliases expand exponentially and exhaust memory.",
    "affected": [
        {
            "purl": "pkg:pypi/yamlkit",
            "vers": "vers:pypi/>=1.0|<1.2.3",
            "fixed": ["1.2.3"],
            "git": [
                {
                    "repo": "https://github.com/example/yamlkit",
                    "events": [{"introduced": "a" * 40}, {"fixed": "b" * 40}],
                }
            ],
        }
    ],
    "cvss": ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"],
    "cwes": ["CWE-776"],
    "references": ["https://github.com/example/yamlkit/issues/1"],
    "credits": [{"name": "Ada Finder", "type": "FINDER"}],
    "aliases": [],
}


@functools.cache
def _pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(autouse=True)
def _disclosure_env(monkeypatch):
    monkeypatch.setenv("AKRITES_SIGNING_KEY", _pem())
    for name in ("AKRITES_CNA_BACKEND", "AKRITES_CVE_BLOCK", "AKRITES_OSV_PREFIX"):
        monkeypatch.delenv(name, raising=False)


def make_ready(case: Any, system: Any) -> Any:
    from akrites.cases.services import case_transition

    for name in ("accept", "notify_maintainers", "acknowledge", "start_fix", "mark_fix_ready"):
        case_transition(actor=system, case=case, name=name)
    case.refresh_from_db()
    return case


@pytest.fixture
def ready_case(case, system):
    return make_ready(case, system)


def make_draft(case: Any, actor: Any, content: dict[str, Any] | None = None) -> Any:
    from akrites.disclosure.services import advisory_create, advisory_update

    advisory = advisory_create(actor=actor, case=case)
    return advisory_update(actor=actor, advisory=advisory, changes=content or CONTENT)


@pytest.fixture
def draft(ready_case, sirt):
    return make_draft(ready_case, sirt)


def after_instant(case: Any) -> Any:
    """A frozen clock one second after the case's disclosure instant."""
    from akrites.core import clock
    from akrites.disclosure.instant import disclosure_instant

    instant = disclosure_instant(case)
    assert instant is not None
    return clock.frozen(instant + timedelta(seconds=1))


@pytest.fixture
def cve_fake():
    fake = FakeCveServices().start()
    yield fake
    fake.stop()


@pytest.fixture
def cve_backend(cve_fake):
    from akrites.disclosure.cna.cve_services import CveServicesBackend

    return CveServicesBackend(org=ORG, user=USER, api_key=API_KEY, url=cve_fake.url, timeout=2)


def approve(case: Any, actor: Any, release: str = "at_instant", backend: Any = None) -> Any:
    """Approve the current revision of ``case``'s draft (``now`` publishes when due)."""
    from akrites.disclosure.models import Advisory
    from akrites.disclosure.services import advisory_approve

    advisory = Advisory.objects.get(case=case)
    return advisory_approve(
        actor=actor, advisory=advisory, revision=advisory.revision, release=release, backend=backend
    )


def publish_now(case: Any, actor: Any, backend: Any = None) -> Any:
    """Approve with ``now`` after the instant: the advisory's public face."""
    from akrites.disclosure.models import PublicAdvisory

    with after_instant(case):
        approve(case, actor, "now", backend)
    return PublicAdvisory.objects.get(advisory__case=case)


@pytest.fixture
def published(draft, ready_case, sirt):
    return publish_now(ready_case, sirt)
