"""How a request is authenticated is decided by what authenticated it, never by a header.

Reproductions of the outside review (issue 17, item 1): a password-only session (no second
factor yet) plus any ``Authorization`` header used to skip the MFA gate, session timeouts,
step-up and CSRF. Each test performs exactly that request.
"""

import base64
import json
from datetime import timedelta

import pytest
from django.test import Client

from akrites.access.tests.conftest import move, verified, weekday_in
from akrites.accounts.mfa import mfa_reset
from akrites.accounts.tokens import token_issue
from akrites.cases.models import Case
from akrites.confidentiality.models import EmbargoChange
from akrites.confidentiality.services import embargo_set_date
from akrites.core.clock import advance
from conftest import TEST_PASSWORD

pytestmark = pytest.mark.mfa
BOGUS = ("x", "Bearer nope", "Token akr_0123456789ab_abcdefghijklmnopqrstuvwxyz", "Basic eDp5")


def password_only(user):
    """A browser that typed the right password and stopped at the second-factor page."""
    mfa_reset(actor=_lead(), user=user, key_hex="11" * 20)
    client = Client()
    r = client.post("/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert r.status_code == 302
    assert client.get("/inbox/")["Location"].startswith("/account/mfa/")
    return client


def _lead():
    from akrites.core.actors import SystemActor

    return SystemActor("test")


@pytest.fixture
def notified(case, sirt, maintainer):
    case = move(case, sirt, maintainer, "notify_maintainers")
    embargo_set_date(actor=maintainer, case=case, ends_at=weekday_in(14))
    return case


def _changes(case):
    return EmbargoChange.objects.filter(embargo__case=case).count()


@pytest.fixture
def attachment_case(project, reporter, sirt, maintainer):
    doc = {
        "title": "Heap overflow in yamlkit",
        "description": "Embargoed steps.",
        "package": {"purl": "pkg:pypi/yamlkit"},
        "attachments": [
            {"name": "poc.py", "content_base64": base64.b64encode(b"print('poc')").decode()}
        ],
    }
    client = Client()
    client.force_login(reporter)
    r = client.post("/api/v1/reports", json.dumps(doc), content_type="application/json")
    assert r.status_code == 201, r.content
    case = move(Case.objects.get(human_id=r.json()["case"]), sirt, maintainer, "notify_maintainers")
    return case, case.reports.get().attachments.get()


@pytest.mark.parametrize("header", BOGUS)
def test_a_header_does_not_open_the_case_page_without_the_second_factor(notified, sirt, header):
    client = password_only(sirt)
    path = f"/cases/{notified.human_id}/"
    assert client.get(path)["Location"].startswith("/account/mfa/")
    assert client.get(path, HTTP_AUTHORIZATION=header).status_code == 401


@pytest.mark.parametrize("header", BOGUS)
def test_a_bogus_bearer_does_not_list_cases_from_the_cookie(notified, sirt, header):
    client = password_only(sirt)
    r = client.get("/api/v1/cases")
    assert r.status_code == 401 and r.json()["error"]["code"] == "mfa_required"
    r = client.get("/api/v1/cases", HTTP_AUTHORIZATION=header)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


def test_a_header_does_not_export_the_case(notified, sirt):
    client = password_only(sirt)
    r = client.get(f"/cases/{notified.human_id}/export.json", HTTP_AUTHORIZATION="x")
    assert r.status_code == 401 and b"Embargoed" not in r.content


def test_a_header_does_not_let_a_password_only_maintainer_read_embargoed_content(
    attachment_case, maintainer
):
    case, attachment = attachment_case
    client = password_only(maintainer)
    for path in (
        f"/api/v1/cases/{case.human_id}/content",
        f"/api/v1/cases/{case.human_id}/attachments/{attachment.pk}",
        f"/cases/{case.human_id}/attachments/{attachment.pk}/",
    ):
        r = client.get(path, HTTP_AUTHORIZATION="Bearer nope")
        assert r.status_code == 401, path
        assert b"Embargoed" not in r.content and b"poc" not in r.content


def test_a_header_does_not_lift_an_embargo(notified, sirt):
    client = password_only(sirt)
    path = f"/api/v1/cases/{notified.human_id}/embargo/lift"
    body = json.dumps({"reason": "fixed"})
    assert client.post(path, body, content_type="application/json").status_code == 401
    r = client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION="x")
    assert r.status_code == 401
    assert _changes(notified) == 0


def test_a_header_does_not_switch_off_csrf(notified, sirt):
    client = verified(Client(enforce_csrf_checks=True), sirt)
    path = f"/api/v1/triage/cases/{notified.human_id}/claim"
    assert client.post(path, "{}", content_type="application/json").status_code == 403
    r = client.post(path, "{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer x")
    assert r.status_code == 401
    assert Case.objects.get(pk=notified.pk).claimed_by_id is None


def test_a_header_does_not_outlive_the_session_timeout(notified, sirt):
    client = verified(Client(), sirt)
    assert client.get("/api/v1/cases").status_code == 200
    advance(timedelta(hours=13))
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert client.get("/api/v1/cases").status_code == 401  # the session itself has ended


def test_a_valid_token_ignores_the_session_it_arrives_with(notified, sirt, reporter):
    """A reporter's token sent from a browser signed in as the SIRT lead acts as the
    reporter: the cookie never adds to what a token may do."""
    issued = token_issue(actor=reporter, user=reporter, name="ci", scopes=["read"])
    client = verified(Client(), sirt)
    r = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert r.status_code == 200
    assert [c["id"] for c in r.json()] == [notified.human_id]
    r = client.get(f"/api/v1/triage/cases/{notified.human_id}")
    assert r.status_code == 200  # the session alone still works for the SIRT lead
    r = client.get(
        f"/api/v1/triage/cases/{notified.human_id}", HTTP_AUTHORIZATION=f"Bearer {issued.secret}"
    )
    assert r.status_code == 404


def test_tokens_work_on_the_api_only(notified, sirt):
    issued = token_issue(actor=sirt, user=sirt, name="ci", scopes=["read"])
    bearer = f"Bearer {issued.secret}"
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=bearer).status_code == 200
    assert (
        Client().get(f"/cases/{notified.human_id}/", HTTP_AUTHORIZATION=bearer).status_code == 401
    )


def test_a_token_cannot_take_a_step_up_action(notified, sirt):
    """No scope grants a step-up action: a full-power token of the SIRT lead still cannot
    lift an embargo or export a case."""
    issued = token_issue(actor=sirt, user=sirt, name="ci", scopes=["read", "submit"])
    bearer = f"Bearer {issued.secret}"
    client = Client()
    r = client.post(
        f"/api/v1/cases/{notified.human_id}/embargo/lift",
        json.dumps({"reason": "fixed"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer,
    )
    assert r.status_code == 403
    r = client.get(f"/api/v1/cases/{notified.human_id}/export", HTTP_AUTHORIZATION=bearer)
    assert r.status_code == 403
    assert _changes(notified) == 0


def test_a_token_in_the_wrong_scheme_is_refused_and_not_logged(notified, sirt, caplog, settings):
    settings.DEBUG = True  # django-ninja logged the whole header in debug mode (make run)
    issued = token_issue(actor=sirt, user=sirt, name="ci", scopes=["read"])
    caplog.set_level("DEBUG")
    for scheme in ("Token", "bearer", ""):
        header = f"{scheme} {issued.secret}".strip()
        r = Client().get("/api/v1/cases", HTTP_AUTHORIZATION=header)
        expected = 200 if scheme == "bearer" else 401  # RFC 7235: the scheme is case-insensitive
        assert r.status_code == expected, scheme
    secret_part = issued.secret.split("_", 2)[2]
    assert secret_part not in caplog.text
    assert base64.b64encode(issued.secret.encode()).decode() not in caplog.text
