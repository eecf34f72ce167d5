"""The dashboard's queue: filters (GET) and claim buttons (POST per row)."""

from decimal import Decimal

import pytest

from akrites.cases.models import Case, Status
from akrites.cases.services import case_transition
from akrites.cases.triage.services import case_claim
from akrites.web.queue import QueueFilters, band_of, filters_from


def _ids(response):
    rows = response.context["rows"]
    return {r.case.human_id for r in rows}


def test_the_queue_shows_triage_cases_with_a_claim_button(client, sirt, case, other_case):
    client.force_login(sirt)
    response = client.get("/sirt/dashboard/")
    assert _ids(response) == {case.human_id, other_case.human_id}
    page = response.text
    assert f'action="/sirt/dashboard/queue/{case.human_id}/claim/"' in page
    assert '<label for="f-status">Status</label>' in page


def test_filter_by_project_severity_and_claim(client, sirt, coordinator, case, other_case):
    Case.objects.filter(pk=case.pk).update(assessed_cvss_score=Decimal("9.8"))
    case_claim(actor=coordinator, case=other_case)
    client.force_login(sirt)
    assert _ids(client.get("/sirt/dashboard/?band=critical")) == {case.human_id}
    assert _ids(client.get("/sirt/dashboard/?band=unscored")) == {other_case.human_id}
    slug = other_case.project.slug
    assert _ids(client.get(f"/sirt/dashboard/?project={slug}")) == {other_case.human_id}
    assert _ids(client.get("/sirt/dashboard/?claim=unclaimed")) == {case.human_id}
    assert _ids(client.get("/sirt/dashboard/?claim=mine")) == set()


def test_filter_by_status_and_clock(client, sirt, system, case, other_case):
    case_transition(actor=system, case=case, name="accept")
    client.force_login(sirt)
    assert _ids(client.get("/sirt/dashboard/")) == {other_case.human_id}
    assert _ids(client.get("/sirt/dashboard/?status=accepted")) == {case.human_id}
    everything = _ids(client.get("/sirt/dashboard/?status=open"))
    assert everything == {case.human_id, other_case.human_id}
    assert _ids(client.get("/sirt/dashboard/?status=open&clock=breached")) == set()


def test_unknown_filter_values_fall_back(client, sirt, case):
    client.force_login(sirt)
    response = client.get("/sirt/dashboard/?status=nope&band=x&project=zzz&claim=all")
    assert response.status_code == 200
    assert response.context["filters"] == QueueFilters()


def test_claim_from_the_dashboard_returns_to_the_same_filters(client, sirt, case):
    client.force_login(sirt)
    url = f"/sirt/dashboard/queue/{case.human_id}/claim/"
    response = client.post(url, {"status": "triage", "claim": "unclaimed"})
    assert response.status_code == 302
    assert response["Location"] == "/sirt/dashboard/?status=triage&claim=unclaimed#queue-h"
    case.refresh_from_db()
    assert case.claimed_by == sirt
    again = client.post(url, {"status": "triage"})  # a double click: still one claim
    assert again.status_code == 302
    assert case.timeline.filter(kind="claimed").count() == 1
    page = client.get("/sirt/dashboard/?claim=mine")
    assert _ids(page) == {case.human_id}
    assert f"/sirt/dashboard/queue/{case.human_id}/release/" in page.text


def test_a_case_claimed_by_someone_else_is_not_taken(client, sirt, coordinator, case):
    case_claim(actor=coordinator, case=case)
    client.force_login(sirt)
    response = client.post(f"/sirt/dashboard/queue/{case.human_id}/claim/", follow=True)
    assert "already claimed" in response.text
    case.refresh_from_db()
    assert case.claimed_by == coordinator


def test_release_from_the_dashboard(client, sirt, case):
    case_claim(actor=sirt, case=case)
    client.force_login(sirt)
    client.post(f"/sirt/dashboard/queue/{case.human_id}/release/")
    case.refresh_from_db()
    assert case.claimed_by is None


# In triage the maintainers are no party yet (access.policy): the same 404 as an outsider.
@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("maintainer", 404)])
def test_only_the_sirt_claims(request, client, case, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.post(f"/sirt/dashboard/queue/{case.human_id}/claim/")
    assert response.status_code == status
    case.refresh_from_db()
    assert case.claimed_by is None and case.status == Status.TRIAGE


def test_band_follows_the_cvss_ratings(case):
    for score, band in (("9.0", "critical"), ("7.0", "high"), ("4.0", "medium"), ("0.0", "low")):
        case.assessed_cvss_score = Decimal(score)
        assert band_of(case) == band


def test_filters_round_trip_through_the_query_string():
    from django.http import QueryDict

    filters = QueueFilters(status="open", band="high", project="p", claim="mine")
    parsed = filters_from(QueryDict(filters.querystring()), [("p", "P")])
    assert parsed == filters
