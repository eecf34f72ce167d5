"""MFA gate, enrolment, session timeouts, killing sessions, login throttling."""

from datetime import timedelta

import pyotp
import pytest
from django.test import override_settings

from akrites.access.tests.conftest import code_for, verified
from akrites.accounts.mfa import mfa_reset, sessions_kill
from akrites.accounts.models import TotpDevice
from akrites.accounts.tokens import token_issue
from akrites.audit.models import AuditEntry
from akrites.core.clock import advance
from akrites.core.errors import NotFound
from conftest import TEST_PASSWORD

pytestmark = pytest.mark.mfa


def sign_in(client, user, password=TEST_PASSWORD):
    return client.post("/login/", {"username": user.username, "password": password})


@pytest.mark.parametrize("who", ["sirt", "coordinator", "maintainer"])
def test_sirt_and_maintainers_cannot_use_the_app_before_enrolling(request, client, who):
    user = request.getfixturevalue(who)
    assert sign_in(client, user).status_code == 302
    for url in ("/", "/inbox/", "/my/reports/"):
        assert client.get(url)["Location"].startswith("/account/mfa/")
    r = client.get("/api/v1/cases")
    assert r.status_code == 401 and r.json()["error"]["code"] == "mfa_required"


def test_reporter_and_observer_need_no_second_factor(client, reporter):
    sign_in(client, reporter)
    assert client.get("/my/reports/").status_code == 200


def test_enrolment_shows_a_secret_once_confirmed_with_a_code(client, maintainer):
    sign_in(client, maintainer)
    page = client.get("/account/mfa/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    device = TotpDevice.objects.get(user=maintainer, confirmed=False)
    secret = page.context["secret"]
    assert "otpauth://totp/" in page.content.decode()
    assert client.post("/account/mfa/", {"code": "123456"}).status_code == 422
    device.refresh_from_db()
    TotpDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    r = client.post("/account/mfa/", {"code": pyotp.TOTP(secret).now(), "next": "/inbox/"})
    assert r.status_code == 302 and r["Location"] == "/inbox/"
    assert client.get("/inbox/").status_code == 200
    assert AuditEntry.objects.filter(action="mfa.enrol", object_id=str(maintainer.pk)).exists()


def test_verify_with_an_enrolled_device(client, sirt):
    mfa_reset(actor=sirt, user=sirt, key_hex="00" * 20)
    sign_in(client, sirt)
    assert client.get("/sirt/queue/").status_code == 302
    r = client.post("/account/mfa/", {"code": code_for(sirt), "next": "/sirt/queue/"})
    assert r["Location"] == "/sirt/queue/"
    assert client.get("/sirt/queue/").status_code == 200


def test_open_redirects_are_refused(client, sirt):
    mfa_reset(actor=sirt, user=sirt, key_hex="11" * 20)
    sign_in(client, sirt)
    r = client.post("/account/mfa/", {"code": code_for(sirt), "next": "https://evil.example/"})
    assert r["Location"] == "/"


def test_api_tokens_are_unaffected_by_mfa(client, sirt):
    issued = token_issue(actor=sirt, user=sirt, name="ci", scopes=["read"])
    r = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert r.status_code == 200


def test_idle_timeout_ends_the_session(client, sirt):
    verified(client, sirt)
    assert client.get("/sirt/queue/").status_code == 200
    advance(timedelta(minutes=31))
    r = client.get("/sirt/queue/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert client.get("/sirt/queue/")["Location"].startswith("/login/")


@override_settings(SESSION_COOKIE_AGE=3600)
def test_absolute_timeout_ends_an_active_session(client, sirt):
    verified(client, sirt)
    for _ in range(5):  # active every 20 minutes, never idle
        advance(timedelta(minutes=20))
        response = client.get("/sirt/queue/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_sirt_lead_kills_a_users_sessions(client, sirt, maintainer):
    other = verified(client.__class__(), maintainer)
    assert other.get("/inbox/").status_code == 200
    verified(client, sirt)
    assert client.post(f"/account/users/{maintainer.pk}/kill-sessions/").status_code == 200
    assert other.get("/inbox/")["Location"].startswith("/login/")
    assert AuditEntry.objects.filter(action="session.kill", object_id=str(maintainer.pk)).exists()


def test_others_cannot_kill_sessions(client, maintainer, reporter):
    verified(client, maintainer)
    assert client.post(f"/account/users/{reporter.pk}/kill-sessions/").status_code == 404
    with pytest.raises(NotFound):
        sessions_kill(actor=maintainer, user=reporter)


def test_lost_authenticator_is_reset_by_the_lead_only(sirt, maintainer):
    mfa_reset(actor=sirt, user=maintainer, key_hex="22" * 20)
    with pytest.raises(NotFound):
        mfa_reset(actor=maintainer, user=maintainer)
    mfa_reset(actor=sirt, user=maintainer)
    assert not TotpDevice.objects.filter(user=maintainer).exists()


def test_login_throttling_locks_out_and_does_not_reveal_users(client, reporter):
    for _ in range(5):
        sign_in(client, reporter, password="wrong-password-1")
    locked = sign_in(client, reporter)  # the right password, but locked out
    assert locked.status_code == 429
    for _ in range(5):
        sign_in(client, type("U", (), {"username": "nobody-here"})(), password="wrong-password-1")
    ghost = sign_in(client, type("U", (), {"username": "nobody-here"})(), password="x")
    assert ghost.status_code == 429
    strip = lambda b: b.replace(b"nobody-here", b"").replace(b"reporter", b"")  # noqa: E731
    assert strip(locked.content) == strip(ghost.content)


def test_a_failed_sign_in_is_the_same_page_for_known_and_unknown_users(client, reporter):
    import re

    def page(username):
        r = sign_in(client, type("U", (), {"username": username})(), password="wrong-password-1")
        assert r.status_code == 200
        body = r.content.replace(username.encode(), b"USERNAME")
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)

    assert page(reporter.username) == page("nobody-here")


def test_the_session_key_changes_when_the_second_factor_is_verified(client, sirt):
    """A session id known before the code (fixation, a shoulder-surfed cookie) is worth
    nothing after it."""
    mfa_reset(actor=sirt, user=sirt, key_hex="11" * 20)
    sign_in(client, sirt)
    before = client.cookies["sessionid"].value
    r = client.post("/account/mfa/", {"code": code_for(sirt), "next": "/sirt/queue/"})
    assert r.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    stale = client.__class__()
    stale.cookies["sessionid"] = before
    assert stale.get("/sirt/queue/")["Location"].startswith("/login/")
    assert client.get("/sirt/queue/").status_code == 200
