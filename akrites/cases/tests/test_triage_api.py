"""Triage API and pages: SIRT sees breakdowns and acts; everyone else gets 404."""

import re

import pytest

from akrites.cases.models import Case, TimelineEntry
from akrites.cases.services import case_transition
from akrites.cases.tests.triage_cast import scanner, send

V98 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def _json(client, method, url, body=None):
    return client.generic(
        method,
        url,
        "" if body is None else __import__("json").dumps(body),
        content_type="application/json",
    )


def test_queue_and_panel_show_the_breakdown(client, project, reporter, sirt):
    case = send(reporter, "bug", cvss=V98, cwe=("CWE-79",))
    client.force_login(sirt)
    rows = client.get("/api/v1/triage/queue").json()
    assert rows[0]["id"] == case.human_id
    assert {c["name"]: c["points"] for c in rows[0]["breakdown"]}["severity"] == 34.3
    panel = client.get(f"/api/v1/triage/cases/{case.human_id}").json()
    assert panel["proposed"]["score"] == 9.8 and panel["assessed"] is None
    assert panel["proposed_cwe"][0] == "CWE-79"
    assert panel["senders"][0]["username"] == "reporter"


def test_assessment_is_kept_apart_from_the_proposal_and_audited(client, project, reporter, sirt):
    from akrites.audit.models import AuditEntry

    case = send(reporter, "bug", cvss=V98)
    client.force_login(sirt)
    url = f"/api/v1/triage/cases/{case.human_id}/severity"
    body = {
        "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        "cwe": "CWE-79",
        "reason": "needs a click",
    }
    response = _json(client, "POST", url, body)
    assert response.status_code == 200, response.content
    panel = response.json()
    assert panel["proposed"]["score"] == 9.8 and panel["assessed"]["score"] == 6.1
    assert AuditEntry.objects.filter(
        action="case.assess_severity", object_id=case.human_id
    ).exists()
    entry = TimelineEntry.objects.get(case=case, kind="severity_assessed")
    assert entry.reason == "needs a click" and entry.actor_id == sirt.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"vector": "CVSS:3.1/AV:N", "reason": "r"}, "vector"),
        ({"vector": "nonsense", "reason": "r"}, "vector"),
        ({"cwe": "CWE-999999", "reason": "r"}, "cwe"),
        ({"cwe": "79", "reason": "r"}, "cwe"),
        ({"vector": V98}, "reason"),
        ({"reason": "r"}, "vector"),
    ],
)
def test_bad_assessments_are_422_per_field_and_change_nothing(client, case, sirt, body, field):
    client.force_login(sirt)
    response = _json(client, "POST", f"/api/v1/triage/cases/{case.human_id}/severity", body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.assessed_cvss, fresh.assessed_cwe, fresh.assessed_at) == ("", "", None)


def test_claim_via_api_and_conflict(client, case, sirt, coordinator):
    client.force_login(coordinator)
    assert (
        _json(client, "POST", f"/api/v1/triage/cases/{case.human_id}/claim").json()["claimed_by"]
        == "coordinator"
    )
    client.force_login(sirt)
    response = _json(client, "POST", f"/api/v1/triage/cases/{case.human_id}/claim")
    assert response.status_code == 409


TRIAGE_CASE_OPS = [
    ("GET", "/api/v1/triage/cases/{id}"),
    ("POST", "/api/v1/triage/cases/{id}/claim"),
    ("POST", "/api/v1/triage/cases/{id}/release"),
    ("POST", "/api/v1/triage/cases/{id}/severity"),
    ("POST", "/api/v1/triage/cases/{id}/exploitation"),
    ("POST", "/api/v1/triage/cases/{id}/cra-reports"),
    ("POST", "/api/v1/triage/cases/{id}/spam"),
]


def test_outsider_gets_404_everywhere_and_nothing_changes(client, case, outsider):
    client.force_login(outsider)
    before = (Case.objects.get(pk=case.pk).status, TimelineEntry.objects.count())
    bodies = set()
    for method, path in TRIAGE_CASE_OPS:
        for case_id in (case.human_id, "AKR-1999-99999"):
            body = {"reason": "x", "vector": V98}
            response = _json(client, method, path.format(id=case_id), body)
            assert response.status_code == 404, (method, path, response.status_code)
            bodies.add(response.content)
    assert len(bodies) == 1
    assert client.get(f"/cases/{case.human_id}/triage/").status_code == 404
    assert (Case.objects.get(pk=case.pk).status, TimelineEntry.objects.count()) == before


@pytest.mark.parametrize("who", ["maintainer", "reporter"])
def test_case_participants_see_no_scoring_and_cannot_triage(
    client, case, maintainer, reporter, who, system
):
    if who == "maintainer":  # a party once notified (in triage they see nothing at all)
        for step in ("accept", "notify_maintainers"):
            case = case_transition(actor=system, case=case, name=step)
    client.force_login(maintainer if who == "maintainer" else reporter)
    before = (Case.objects.get(pk=case.pk).claimed_by_id, TimelineEntry.objects.count())
    for method, path in TRIAGE_CASE_OPS:
        response = _json(client, method, path.format(id=case.human_id), {"reason": "x"})
        # They may see the case (403 for actions) but not its triage panel (404).
        assert response.status_code == (404 if method == "GET" else 403), (method, path)
    for url in ("/api/v1/triage/queue", "/api/v1/triage/breaches"):
        assert client.get(url).status_code == 403
    assert (Case.objects.get(pk=case.pk).claimed_by_id, TimelineEntry.objects.count()) == before


def test_web_queue_page_shows_scores_and_claim_buttons(client, project, reporter, sirt):
    case = send(reporter, "bug", cvss=V98)
    client.force_login(sirt)
    page = client.get("/sirt/triage/").content.decode()
    assert case.human_id in page and "34.3" in page and "Claim" in page
    # Strict CSP: no inline script or style (external files only).
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and "style=" not in page
    response = client.post(f"/cases/{case.human_id}/triage/claim/", {"back": "queue"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).claimed_by_id == sirt.pk
    panel = client.get(f"/cases/{case.human_id}/triage/").content.decode()
    assert "Release my claim" in panel and "9.8" in panel
    bad = client.post(
        f"/cases/{case.human_id}/triage/severity/",
        {"vector": "CVSS:3.1/AV:N", "reason": "r"},
        follow=True,
    )
    assert "vector:" in bad.content.decode()


def test_scanner_profile_publishes_precision_and_hides_quota(
    client, project, orgs, sirt, system, outsider
):
    from akrites.cases.services import case_accept
    from akrites.cases.triage.services import case_reject_as_spam

    bot = scanner(system, orgs["finder"])
    case_accept(actor=sirt, case=send(bot, "real"))
    case_reject_as_spam(actor=sirt, case=send(bot, "noise"), reason="spam")
    page = client.get("/scanners/scanbot/").content.decode()  # anonymous: public
    assert "50 % of 2 decided reports" in page and "finder org" in page
    assert "Daily quota" not in page
    client.force_login(sirt)
    assert "Daily quota" in client.get("/scanners/scanbot/").content.decode()
    body = client.get("/api/v1/triage/scanners/scanbot").json()
    assert (body["valid"], body["spam"], body["precision"]) == (1, 1, 0.5)
    assert body["quota"]["base_limit"] == 2000
    client.force_login(outsider)
    assert client.get("/api/v1/triage/scanners/scanbot").json()["quota"] is None
    assert client.get("/scanners/outsider/").status_code == 404  # people have no profile
    assert client.get("/api/v1/triage/scanners/nobody").status_code == 404


def test_quota_endpoint_is_for_the_lead(client, orgs, sirt, coordinator, system):
    bot = scanner(system, orgs["finder"])
    client.force_login(coordinator)
    url = f"/api/v1/triage/senders/{bot.username}/quota"
    assert _json(client, "PUT", url, {"daily_limit": 5, "reason": "r"}).status_code == 403
    client.force_login(sirt)
    body = _json(client, "PUT", url, {"daily_limit": 5, "reason": "trial"}).json()
    assert body == {"used_24h": 0, "daily_limit": 5, "base_limit": 5}
    assert _json(client, "PUT", url, {"reason": "r"}).json()["error"]["field"] == "daily_limit"
    assert re.match(r"^\d+$", str(body["daily_limit"]))
