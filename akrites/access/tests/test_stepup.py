"""Step-up before the most sensitive actions, and the two-person early lift, in the browser."""

from datetime import timedelta

import pytest

from akrites.access.tests.conftest import code_for, verified, weekday_in
from akrites.confidentiality.models import Embargo, EmbargoChange, EmbargoState
from akrites.core.clock import advance

pytestmark = pytest.mark.mfa


def test_lift_without_a_fresh_code_asks_for_one_then_works(client, notified, maintainer):
    verified(client, maintainer, step_up=False)
    url = f"/cases/{notified.human_id}/embargo/lift/"
    page = f"/cases/{notified.human_id}/embargo/"
    response = client.post(url, {"reason": "shipped"}, HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/step-up/?next=%2Fcases%2F")
    assert not EmbargoChange.objects.exists()
    step = client.post("/account/step-up/", {"code": code_for(maintainer), "next": page})
    assert step.status_code == 302 and step["Location"] == page
    assert client.post(url, {"reason": "shipped"}).status_code == 302
    assert EmbargoChange.objects.filter(kind="lift").count() == 1


def test_step_up_expires(client, notified, maintainer):
    verified(client, maintainer, step_up=True)
    advance(timedelta(minutes=11))
    verified(client, maintainer, step_up=False)
    r = client.post(f"/cases/{notified.human_id}/embargo/lift/", {"reason": "x"})
    assert r["Location"].startswith("/account/step-up/")


def test_wrong_code_does_not_step_up(client, notified, maintainer):
    verified(client, maintainer, step_up=False)
    code_for(maintainer)
    assert client.post("/account/step-up/", {"code": "000000"}).status_code == 422
    r = client.post(f"/cases/{notified.human_id}/embargo/lift/", {"reason": "x"})
    assert r["Location"].startswith("/account/step-up/")


def test_api_answers_step_up_required(client, notified, coordinator):
    verified(client, coordinator, step_up=False)
    r = client.post(
        f"/api/v1/cases/{notified.human_id}/embargo/break",
        {"reason": "leak"},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "step_up_required"
    notified.refresh_from_db()
    assert notified.status == "notified"


def test_two_person_rule_in_the_browser(client, notified, maintainer, coordinator):
    verified(client, maintainer)
    client.post(f"/cases/{notified.human_id}/embargo/lift/", {"reason": "fix is out"})
    change = EmbargoChange.objects.get()
    r = client.post(f"/cases/{notified.human_id}/embargo/approve/", {"change": change.pk})
    assert r.status_code == 403
    assert Embargo.objects.get().state == EmbargoState.ACTIVE
    verified(client, coordinator)
    r = client.post(f"/cases/{notified.human_id}/embargo/approve/", {"change": change.pk})
    assert r.status_code == 302
    assert Embargo.objects.get().state == EmbargoState.LIFTED


def test_adding_an_observer_needs_step_up(client, notified, maintainer, member_observer, orgs):
    from akrites.confidentiality.services import embargo_set_date

    embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(14))
    verified(client, maintainer, step_up=False)
    url = f"/api/v1/cases/{notified.human_id}/prenotification"
    body = {"organisation": orgs["member"].slug}
    r = client.post(url, body, content_type="application/json")
    assert r.json()["error"]["code"] == "step_up_required"
    verified(client, maintainer)
    assert client.post(url, body, content_type="application/json").status_code == 201


def test_disclosing_through_the_case_room_needs_step_up(client, case, sirt, maintainer):
    from akrites.access.tests.conftest import move

    fix_ready = move(case, sirt, maintainer, "mark_fix_ready")
    verified(client, sirt, step_up=False)
    url = f"/cases/{fix_ready.human_id}/transition/"
    r = client.post(url, {"name": "disclose"})
    assert r["Location"].startswith("/account/step-up/")
    fix_ready.refresh_from_db()
    assert fix_ready.status == "fix_ready"
