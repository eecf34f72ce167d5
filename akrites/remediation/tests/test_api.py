import json
import re

import pytest
from django.test import Client

from akrites.api.main import api
from akrites.audit.models import AuditEntry
from akrites.cases.models import Case, Status, TimelineEntry
from akrites.remediation.models import (
    CaseRemediation,
    PatchProposal,
    PatchReview,
    ProjectTerms,
    VersionStatement,
)
from akrites.remediation.tests.conftest import GOOD_DIFF, OTHER_DIFF
from akrites.remediation.tests.factories import a_patch_id


@pytest.fixture
def api_client():
    return Client(enforce_csrf_checks=False)


def call(client, method, url, body=None):
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json")


def test_maintainer_flow_through_the_api(api_client, acknowledged, maintainer, reporter):
    base = f"/api/v1/cases/{acknowledged.human_id}"
    api_client.force_login(reporter)
    r = call(api_client, "POST", f"{base}/patches", {"title": "Fix", "diff": GOOD_DIFF})
    assert r.status_code == 201, r.content
    first = r.json()["id"]
    api_client.force_login(maintainer)
    r = call(api_client, "POST", f"{base}/patches", {"title": "Mine", "diff": OTHER_DIFF})
    second = r.json()["id"]
    assert [p["id"] for p in api_client.get(f"{base}/patches").json()] == [first, second]
    r = call(api_client, "POST", f"{base}/patches/{first}/reviews", {"verdict": "approve"})
    assert r.json()["reviews"][0]["verdict"] == "approve"
    r = call(api_client, "POST", f"{base}/patches/{first}/choose")
    assert r.json()["canonical"] is True
    r = call(api_client, "POST", f"{base}/patches/{second}/choose")
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    r = call(api_client, "POST", f"{base}/fix-ready")
    assert r.json()["status"] == Status.FIX_READY
    r = api_client.get(f"{base}/fix.mbox")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/mbox")
    assert b"Subject: [PATCH] Fix" in r.content
    assert api_client.get(f"{base}/fix.patch").content.decode() == GOOD_DIFF


def test_inbox_actions_through_the_api(api_client, notified, maintainer):
    base = f"/api/v1/cases/{notified.human_id}"
    api_client.force_login(maintainer)
    r = call(api_client, "POST", f"{base}/dispute", {"outcome": "not_our_code"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = call(api_client, "POST", f"{base}/acknowledge")
    assert r.json()["status"] == Status.ACKNOWLEDGED
    r = call(api_client, "PUT", f"{base}/dates", {"disclosure_at": "2099-01-01T00:00:00Z"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "disclosure_at"
    r = call(
        api_client,
        "POST",
        f"{base}/statements",
        {"version_range": "vers:pypi/<2", "status": "fixed"},
    )
    assert r.json()["statements"][0]["status"] == "fixed"
    r = call(api_client, "POST", f"{base}/co-maintainers", {"username": "nobody"})
    assert r.status_code == 422


def test_terms_through_the_api(api_client, project, maintainer):
    api_client.force_login(maintainer)
    url = f"/api/v1/projects/{project.slug}/terms"
    body = {
        "contact_channels": [{"kind": "email", "address": "sec@yamlkit.example"}],
        "embargo_max_days": 45,
        "accepts_ai_patches": False,
        "rules": [{"kind": "cwe", "pattern": "CWE-400", "reason": "DoS is documented"}],
    }
    r = call(api_client, "PUT", url, body)
    assert r.status_code == 200, r.content
    assert api_client.get(url).json()["rules"][0]["pattern"] == "CWE-400"
    r = call(api_client, "POST", f"/api/v1/projects/{project.slug}/status", {"status": "archived"})
    assert r.status_code == 403


def _my_api_operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path, methods in schema["paths"].items():
        if ("/cases/{case_id}/" in path and not path.endswith(("/transitions", "/embargo"))) or (
            "/projects/{project_slug}/" in path
        ):
            for method in methods:
                op = methods[method]
                if "remediation" in op.get("tags", []):
                    yield method.upper(), path


def _my_web_routes():
    from akrites.remediation.urls import urlpatterns

    return [str(p.pattern) for p in urlpatterns]


def _snapshot(case):
    return (
        Case.objects.get(pk=case.pk).status,
        TimelineEntry.objects.count(),
        # Refusals may be audited (access.denied); nothing else may be.
        AuditEntry.objects.exclude(action="access.denied").count(),
        PatchProposal.objects.filter(state="canonical").count(),
        PatchProposal.objects.count(),
        PatchReview.objects.count(),
        CaseRemediation.objects.count(),
        VersionStatement.objects.count(),
        ProjectTerms.objects.count(),
    )


@pytest.mark.parametrize("who", ["outsider", "other_maintainer"])
def test_outsider_gets_404_everywhere_and_nothing_changes(
    api_client, notified, outsider, other_project, system, who
):
    from akrites.orgs.services import membership_add

    if who == "other_maintainer":
        membership_add(actor=system, org=other_project.team, user=outsider, role="maintainer")
    api_client.force_login(outsider)
    patch_id = a_patch_id(notified)
    before = _snapshot(notified)
    values = [
        {"case_id": notified.human_id, "patch_id": patch_id, "project_slug": "yamlkit"},
        {"case_id": "AKR-1999-99999", "patch_id": "PAT-0", "project_slug": "nope"},
    ]
    ops = list(_my_api_operations())
    assert len(ops) >= 17
    body = {"title": "t", "diff": GOOD_DIFF, "outcome": "wont_fix", "reason": "r", "status": "x"}
    for v in values:
        for method, path in ops:
            url = re.sub(r"{(\w+)}", lambda m, v=v: v[m.group(1)], path)
            r = call(api_client, method, url, body)
            assert r.status_code == 404, (method, url, r.status_code)
            assert r.json() == {"error": {"code": "not_found", "message": "Not found."}}
        for route in _my_web_routes():
            url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=v: v[m.group(1)], route)
            for method in ("get", "post"):
                r = getattr(api_client, method)(url, body)
                assert r.status_code in (404, 405), (method, url, r.status_code)
    assert _snapshot(notified) == before
