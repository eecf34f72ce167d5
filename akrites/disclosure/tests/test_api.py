"""/api/v1/advisories: drafting through the API, and nothing for those who may not see."""

import json

import pytest
from django.test import Client

from akrites.disclosure.models import Advisory, PublishedRejection
from akrites.disclosure.tests.conftest import CONTENT, after_instant


def _fresh(user):
    """A new browser: after months of frozen-clock travel the old session has expired."""
    client = Client()
    client.force_login(user)
    return client


def _call(client, method, url, body=None):
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json")


def test_draft_edit_and_publish_through_the_api(login, ready_case, sirt):
    client = login(sirt)
    base = f"/api/v1/advisories/{ready_case.human_id}"
    created = _call(client, "POST", base)
    assert created.status_code == 201 and created.json()["state"] == "draft"
    edited = _call(client, "PATCH", base, {"content": CONTENT})
    assert edited.status_code == 200
    assert edited.json()["content"]["affected"][0]["vers"] == "vers:pypi/>=1.0|<1.2.3"
    bad = _call(client, "PATCH", base, {"content": {"cvss": ["nope"]}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "cvss[0]"
    early = _call(client, "POST", f"{base}/publish")
    assert early.status_code == 409 and "embargoed until" in early.json()["error"]["message"]
    assert _call(client, "POST", f"{base}/schedule", {"disclose_at": None}).status_code == 409
    assert _call(client, "POST", f"{base}/cve").status_code == 409  # no CNA configured
    with after_instant(ready_case):
        done = _call(_fresh(sirt), "POST", f"{base}/publish")
    assert done.status_code == 200 and done.json()["public_id"].startswith("AKRITES-")


def test_maintainers_read_and_edit_but_do_not_publish(login, draft, ready_case, maintainer):
    client = login(maintainer)
    base = f"/api/v1/advisories/{ready_case.human_id}"
    assert _call(client, "GET", base).json()["content"]["summary"] == CONTENT["summary"]
    assert _call(client, "PATCH", base, {"content": {"summary": "Better"}}).status_code == 200
    with after_instant(ready_case):
        assert _call(_fresh(maintainer), "POST", f"{base}/publish").status_code == 403


@pytest.mark.parametrize(
    "method_path",
    [
        ("POST", ""),
        ("GET", ""),
        ("PATCH", ""),
        ("POST", "/schedule"),
        ("POST", "/cve"),
        ("POST", "/publish"),
    ],
)
def test_outsider_gets_404_and_nothing_changes(login, draft, ready_case, outsider, method_path):
    method, suffix = method_path
    before = Advisory.objects.get(pk=draft.pk).content
    url = f"/api/v1/advisories/{ready_case.human_id}{suffix}"
    response = _call(login(outsider), method, url, {"content": {"summary": "x"}})
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}
    assert Advisory.objects.get(pk=draft.pk).content == before


def test_anonymous_gets_401(client, draft, ready_case):
    assert client.get(f"/api/v1/advisories/{ready_case.human_id}").status_code == 401


def test_publish_a_rejection_through_the_api(login, case, sirt, reporter, outsider):
    from akrites.cases.services import case_transition

    case_transition(actor=sirt, case=case, name="reject", reason="spam")
    report_id = case.reports.get().public_id
    body = {"report_id": report_id, "category": "spam"}
    assert _call(login(outsider), "POST", "/api/v1/advisories/rejections", body).status_code == 404
    response = _call(login(reporter), "POST", "/api/v1/advisories/rejections", body)
    assert response.status_code == 201 and response.json()["category"] == "spam"
    assert PublishedRejection.objects.count() == 1
