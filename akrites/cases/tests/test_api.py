from akrites.cases.models import Status
from akrites.cases.services import case_transition


def test_list_shows_only_visible_cases(client, case, other_case, maintainer, system):
    client.force_login(maintainer)
    assert client.get("/api/v1/cases").json() == []  # in triage: not told yet
    for step in ("accept", "notify_maintainers"):
        case_transition(actor=system, case=case, name=step)
    ids = [c["id"] for c in client.get("/api/v1/cases").json()]
    assert ids == [case.human_id]


def test_detail_has_timeline_roles_and_allowed_transitions(client, case, sirt):
    client.force_login(sirt)
    body = client.get(f"/api/v1/cases/{case.human_id}").json()
    assert body["status"] == "triage"
    assert "accept" in body["allowed_transitions"]
    assert body["timeline"][0]["kind"] == "created"


def test_transition_through_the_api(case, sirt):
    from django.test import Client

    client = Client(enforce_csrf_checks=False)
    client.force_login(sirt)
    response = client.post(
        f"/api/v1/cases/{case.human_id}/transitions",
        {"name": "reject", "reason": "spam"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.REJECTED


def test_api_errors_have_one_shape(client, case, sirt, reporter):
    client.force_login(sirt)
    response = client.post(
        f"/api/v1/cases/{case.human_id}/transitions",
        {"name": "disclose"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    response = client.post(
        f"/api/v1/cases/{case.human_id}/transitions",
        {"name": "reject"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_input",
        "field": "reason",
        "message": "a reason is required to reject",
    }
    response = client.post(
        f"/api/v1/cases/{case.human_id}/transitions", {"nom": "x"}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "name"
    client.force_login(reporter)
    response = client.post(
        f"/api/v1/cases/{case.human_id}/transitions",
        {"name": "accept"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_session_writes_need_csrf(case, sirt):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(sirt)
    response = client.post(
        f"/api/v1/cases/{case.human_id}/transitions",
        {"name": "accept"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/cases/{case_id}" in response.json()["paths"]


def test_health(client, db):
    assert client.get("/api/v1/health").json()["status"] == "ok"
