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


def test_draft_edit_and_approve_through_the_api(login, ready_case, sirt):
    client = login(sirt)
    base = f"/api/v1/advisories/{ready_case.human_id}"
    created = _call(client, "POST", base)
    assert created.status_code == 201 and created.json()["state"] == "draft"
    edited = _call(client, "PATCH", base, {"content": CONTENT})
    assert edited.status_code == 200
    assert edited.json()["content"]["affected"][0]["vers"] == "vers:pypi/>=1.0|<1.2.3"
    revision = edited.json()["revision"]
    bad = _call(client, "PATCH", base, {"content": {"cvss": ["nope"]}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "cvss[0]"
    early = _call(client, "POST", f"{base}/approve", {"revision": revision, "release": "now"})
    assert early.status_code == 409 and "embargoed until" in early.json()["error"]["message"]
    missing = _call(client, "POST", f"{base}/approve", {"release": "now"})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "revision"
    stale = _call(client, "POST", f"{base}/approve", {"revision": revision - 1, "release": "now"})
    assert stale.status_code == 409 and "changed since" in stale.json()["error"]["message"]
    assert _call(client, "POST", f"{base}/schedule", {"disclose_at": None}).status_code == 409
    assert _call(client, "POST", f"{base}/cve").status_code == 409  # no CNA configured
    with after_instant(ready_case):
        done = _call(_fresh(sirt), "POST", f"{base}/approve", {"revision": revision})
    assert done.status_code == 200 and done.json()["public_id"].startswith("AKRITES-")
    assert done.json()["state"] == "published" and done.json()["version"] == 1


def test_approve_for_the_instant_then_take_it_back(login, draft, ready_case, sirt, maintainer):
    base = f"/api/v1/advisories/{ready_case.human_id}"
    body = {"revision": draft.revision, "release": "at_instant"}
    approved = _call(login(sirt), "POST", f"{base}/approve", body)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert approved.json()["approval"]["revision"] == draft.revision
    assert approved.json()["approval"]["release"] == "at_instant"
    back = _call(login(maintainer), "POST", f"{base}/approval/withdraw", {"reason": "wait"})
    assert back.status_code == 200 and back.json()["state"] == "draft"
    assert back.json()["approval"] is None


def test_revise_and_withdraw_through_the_api(login, published, ready_case, sirt):
    base = f"/api/v1/advisories/{ready_case.human_id}"
    client = _fresh(sirt)
    change = {"content": {"summary": "Billion laughs in yamlkit.load and loads"}}
    no_reason = _call(client, "POST", f"{base}/revise", change)
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"
    revised = _call(client, "POST", f"{base}/revise", {**change, "reason": "Also loads."})
    assert revised.status_code == 200 and revised.json()["version"] == 2
    gone = _call(client, "POST", f"{base}/withdraw", {"reason": "Not a vulnerability."})
    assert gone.status_code == 200 and gone.json()["state"] == "withdrawn"
    assert gone.json()["version"] == 3


def test_maintainers_read_and_edit_but_do_not_approve(login, draft, ready_case, maintainer):
    client = login(maintainer)
    base = f"/api/v1/advisories/{ready_case.human_id}"
    assert _call(client, "GET", base).json()["content"]["summary"] == CONTENT["summary"]
    assert _call(client, "PATCH", base, {"content": {"summary": "Better"}}).status_code == 200
    body = {"revision": draft.revision + 1, "release": "now"}
    with after_instant(ready_case):
        assert _call(_fresh(maintainer), "POST", f"{base}/approve", body).status_code == 403


@pytest.mark.parametrize(
    "method_path",
    [
        ("POST", ""),
        ("GET", ""),
        ("PATCH", ""),
        ("POST", "/schedule"),
        ("POST", "/cve"),
        ("POST", "/approve"),
        ("POST", "/approval/withdraw"),
        ("POST", "/revise"),
        ("POST", "/withdraw"),
    ],
)
def test_outsider_gets_404_and_nothing_changes(login, draft, ready_case, outsider, method_path):
    method, suffix = method_path
    before = Advisory.objects.get(pk=draft.pk).content
    url = f"/api/v1/advisories/{ready_case.human_id}{suffix}"
    body = {"content": {"summary": "x"}, "revision": draft.revision, "reason": "x"}
    response = _call(login(outsider), method, url, body)
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
