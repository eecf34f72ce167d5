"""The shared cast and helpers for every test.

The cast: ``sirt`` (SIRT lead), ``coordinator``, ``maintainer`` (of ``project``),
``member_observer``, ``reporter`` (who reported ``case``), ``outsider`` (logged in, no role).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REQUIRE_ALL = os.environ.get("AKRITES_REQUIRE_ALL") == "1"
TEST_PASSWORD = "x-test-password-1"  # noqa: S105 - test accounts only


def requires(available: bool, reason: str) -> None:
    """Skip (locally) or fail (under AKRITES_REQUIRE_ALL=1, i.e. CI) when a service is missing."""
    if available:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required service missing under AKRITES_REQUIRE_ALL=1: {reason}")
    pytest.skip(reason)


def shared_path(*parts: str) -> Path:
    from django.conf import settings

    path = Path(settings.SHARED_DIR, *parts)
    requires(path.exists(), f"{path} not found (set AKRITES_SHARED_DIR)")
    return path


# What may never reach a log line, in any test: API tokens (the issued form), the cast's
# password, bearer and basic credentials, the RFC 6238 test seed the MFA tests use (hex and
# base32), and the seed the demo and the credential tests install ("11" * 20).
SECRET_PATTERNS = (
    re.compile(r"akr_[0-9a-f]{12}_[A-Za-z0-9_-]{16,}"),
    re.compile(re.escape(TEST_PASSWORD)),
    re.compile(r"(?i)\b(?:bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,}"),
    re.compile(r"3132333435363738393031323334353637383930|GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
    re.compile(r"1{40}|CEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIR"),
)


class _LogLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot be formatted is no leak of ours
            self.lines.append(f"{record.levelname} {record.name} <unformattable>")


@pytest.fixture(autouse=True)
def _no_secret_reaches_a_log_line() -> Iterator[None]:
    """Every test is a log scan: whatever the code logged while it ran (every logger, through
    the root) must hold no token, password, credential header or second-factor seed."""
    handler = _LogLines()
    logging.getLogger().addHandler(handler)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)
    leaks = [line for line in handler.lines if any(p.search(line) for p in SECRET_PATTERNS)]
    if leaks:
        pytest.fail("a secret reached the log:\n" + "\n".join(leaks[:5]), pytrace=False)


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    from akrites.core import clock

    clock.reset()
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    # Argon2 is the production hasher (tested in accounts); tests create many users.
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):  # pure tests run without Django
        yield
        return
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _mfa_only_where_asked(request: Any) -> Iterator[None]:
    # The cast signs in with force_login and no second factor. The MFA gate, step-up and
    # session timeouts are exercised by tests marked ``@pytest.mark.mfa`` (accounts, access).
    if not os.environ.get("DJANGO_SETTINGS_MODULE") or request.node.get_closest_marker("mfa"):
        yield
        return
    from django.test import override_settings

    with override_settings(AKRITES_MFA_REQUIRED=False):
        yield


@pytest.fixture
def system() -> Any:
    from akrites.core.actors import SystemActor

    return SystemActor("test")


def _user(username: str, **extra: Any) -> Any:
    from akrites.accounts.models import User

    return User.objects.create_user(username=username, password=TEST_PASSWORD, **extra)


@pytest.fixture
def orgs(db: None, system: Any) -> dict[str, Any]:
    from akrites.orgs.services import org_create

    return {
        kind: org_create(actor=system, name=f"{kind} org", kind=kind, slug=f"{kind}-org")
        for kind in ("sirt", "member", "project_team", "finder", "downstream")
    }


def _member(system: Any, org: Any, username: str, role: str, **extra: Any) -> Any:
    from akrites.orgs.services import membership_add

    user = _user(username, **extra)
    membership_add(actor=system, org=org, user=user, role=role)
    return user


@pytest.fixture
def sirt(orgs: dict[str, Any], system: Any) -> Any:
    return _member(system, orgs["sirt"], "sirt", "sirt_lead", is_staff=True)


@pytest.fixture
def coordinator(orgs: dict[str, Any], system: Any) -> Any:
    return _member(system, orgs["sirt"], "coordinator", "sirt_coordinator", is_staff=True)


@pytest.fixture
def maintainer(orgs: dict[str, Any], system: Any) -> Any:
    return _member(system, orgs["project_team"], "maintainer", "maintainer")


@pytest.fixture
def member_observer(orgs: dict[str, Any], system: Any) -> Any:
    return _member(system, orgs["member"], "observer", "member_observer")


@pytest.fixture
def reporter(orgs: dict[str, Any], system: Any) -> Any:
    return _member(system, orgs["finder"], "reporter", "reporter")


@pytest.fixture
def outsider(db: None) -> Any:
    return _user("outsider")


@pytest.fixture
def project(orgs: dict[str, Any], system: Any) -> Any:
    from akrites.projects.services import package_add, project_create

    project = project_create(actor=system, name="yamlkit", team=orgs["project_team"])
    package_add(actor=system, project=project, purl="pkg:pypi/yamlkit")
    return project


@pytest.fixture
def other_project(orgs: dict[str, Any], system: Any) -> Any:
    from akrites.orgs.services import org_create
    from akrites.projects.services import package_add, project_create

    team = org_create(actor=system, name="other team", kind="project_team", slug="other-team")
    project = project_create(actor=system, name="rivet", team=team)
    package_add(actor=system, project=project, purl="pkg:cargo/rivet")
    return project


@pytest.fixture
def case(project: Any, reporter: Any) -> Any:
    from akrites.intake.services import report_create

    report = report_create(
        actor=reporter,
        title="Billion laughs in yamlkit.load",
        body="Details.",
        purl="pkg:pypi/yamlkit",
    )
    return report.case


@pytest.fixture
def other_case(other_project: Any, system: Any) -> Any:
    from akrites.cases.services import case_create

    return case_create(actor=system, project=other_project, title="Overflow in rivet")


@pytest.fixture
def login(client: Any) -> Any:
    def _login(user: Any) -> Any:
        client.force_login(user)
        return client

    return _login
