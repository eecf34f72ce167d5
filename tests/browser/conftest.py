"""Browser fixtures: one Debian Chromium per test session, driven by Playwright's sync API
against pytest-django's live server.

Chromium comes from the system (``.ci/run`` installs Debian's package); Playwright never
downloads a browser here. Without it the browser tests skip locally and fail under
``AKRITES_REQUIRE_ALL=1``. Screenshots go to ``test-artifacts/screenshots/`` (gitignored).
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import TEST_PASSWORD, requires

CHROMIUM = Path(os.environ.get("AKRITES_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# A fixed TOTP key per user (20 bytes, hex as django-otp stores it): tests compute the codes.
TOTP_KEYS = {
    "sirt": "3132333435363738393031323334353637383930",
    "coordinator": "4142434445464748494a4b4c4d4e4f5051525354",
    "maintainer": "6162636465666768696a6b6c6d6e6f7071727374",
}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    requires(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; Django's ORM calls made by the
    # test itself (fixtures, assertions) are still synchronous, so its guard is relaxed for
    # the browser session only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """A factory of pages, each in its own context (own cookies: one person per context)."""
    contexts: list[Any] = []

    def _make(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(5000)
        context.set_default_navigation_timeout(20000)
        contexts.append(context)
        return context.new_page()

    yield _make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def base_url(live_server: Any, django_db_blocker: Any) -> Iterator[str]:
    """The live server's URL, after one warm-up request: the first request imports every
    app's views and templates, which would otherwise count against the first test.

    Chromium keeps connections alive, so one server thread serves many requests; with a
    persistent database connection (CONN_MAX_AGE on PostgreSQL) that thread would still hold
    a session when the test database is dropped. The live server closes it per request.
    """
    import urllib.request

    from django.db import connections

    ages = {alias: connections.settings[alias].get("CONN_MAX_AGE") for alias in connections}
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0
    with urllib.request.urlopen(f"{live_server.url}/login/", timeout=60) as response:
        response.read()
    yield str(live_server.url)
    for alias, age in ages.items():
        connections.settings[alias]["CONN_MAX_AGE"] = age
    # A server thread parked on a keep-alive socket may still hold a session; end those on
    # the (throw-away) test database so it can be dropped.
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Authenticator:
    """The users' authenticator apps: enrols a known TOTP key, then hands out codes.

    django-otp accepts each time step once and tolerates one step of drift, so a second code
    for the same user within 30 seconds is taken from the next step.
    """

    def __init__(self, system: Any) -> None:
        self.system = system
        self.last_step: dict[str, int] = {}

    def enrol(self, user: Any) -> None:
        from akrites.accounts.mfa import mfa_reset

        mfa_reset(actor=self.system, user=user, key_hex=TOTP_KEYS[user.username])

    def code(self, user: Any) -> str:
        import pyotp

        secret = base64.b32encode(bytes.fromhex(TOTP_KEYS[user.username])).decode()
        step = max(int(time.time()) // 30, self.last_step.get(user.username, -1) + 1)
        self.last_step[user.username] = step
        return str(pyotp.TOTP(secret).at(step * 30))


@pytest.fixture
def authenticator(system: Any) -> Authenticator:
    return Authenticator(system)


def sign_in(page: Any, base: str, user: Any, authenticator: Authenticator | None = None) -> None:
    """Sign in through the login form; with an authenticator, pass the TOTP step too."""
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if authenticator is not None:
        page.wait_for_url("**/account/mfa/**")
        page.get_by_label("Code").fill(authenticator.code(user))
        page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url and "/account/mfa/" not in page.url, page.url
