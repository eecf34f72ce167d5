import pytest

from akrites.cases.models import Status
from akrites.cases.services import case_transition


def test_login_page_and_login_flow(client, sirt):
    page = client.get("/login/")
    assert page.status_code == 200 and b"Sign in" in page.content
    response = client.post("/login/", {"username": "sirt", "password": "x-test-password-1"})
    assert response.status_code == 302
    assert client.get("/", follow=True).request["PATH_INFO"] == "/sirt/dashboard/"


def test_failed_login_does_not_reveal_whether_the_user_exists(client, sirt):
    known = client.post("/login/", {"username": "sirt", "password": "wrong-password-123"})
    unknown = client.post("/login/", {"username": "nobody", "password": "wrong-password-123"})
    assert known.status_code == unknown.status_code == 200
    assert b"did not match" in known.content and b"did not match" in unknown.content


def test_strict_csp_and_security_headers(client):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("sirt", "/sirt/queue/", 200),
        ("coordinator", "/sirt/queue/", 200),
        ("maintainer", "/sirt/queue/", 403),
        ("maintainer", "/inbox/", 200),
        ("reporter", "/my/reports/", 200),
        ("outsider", "/inbox/", 200),
    ],
)
def test_home_pages_by_role(request, client, case, who, url, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == status


def test_each_role_sees_the_right_cases(client, case, other_case, maintainer, reporter, system):
    for step in ("accept", "notify_maintainers"):
        case_transition(actor=system, case=case, name=step)
    client.force_login(maintainer)
    inbox = client.get("/inbox/").content.decode()
    assert case.human_id in inbox and other_case.human_id not in inbox
    client.force_login(reporter)
    mine = client.get("/my/reports/").content.decode()
    assert case.human_id in mine and other_case.human_id not in mine


def test_case_room_shows_actions_the_viewer_may_take(client, case, sirt, reporter):
    client.force_login(reporter)
    page = client.get(f"/cases/{case.human_id}/").content.decode()
    assert case.human_id in page and 'name="name"' not in page
    client.force_login(sirt)
    page = client.get(f"/cases/{case.human_id}/").content.decode()
    assert 'value="accept"' in page
    response = client.post(f"/cases/{case.human_id}/transition/", {"name": "accept", "reason": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


def test_illegal_transition_from_the_form_shows_an_error(client, case, sirt):
    client.force_login(sirt)
    response = client.post(f"/cases/{case.human_id}/transition/", {"name": "disclose"}, follow=True)
    assert b"cannot disclose" in response.content
    case.refresh_from_db()
    assert case.status == Status.TRIAGE


@pytest.mark.parametrize(("who", "status"), [("sirt", 200), ("maintainer", 302), ("outsider", 302)])
def test_admin_is_for_the_sirt_only(request, client, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/admin/").status_code == status


def test_error_pages_do_not_echo_the_request(client, outsider):
    client.force_login(outsider)
    response = client.get("/cases/SECRET-MARKER-123/")
    assert response.status_code == 404
    assert b"SECRET-MARKER-123" not in response.content
