"""API: webhook subscriptions and the delivery log; outsiders get 404 and change nothing."""

import pytest

from akrites.cases.services import case_accept
from akrites.notifications.models import Delivery, WebhookSubscription
from akrites.notifications.tests.helpers import run_all

pytestmark = pytest.mark.django_db

HOOKS = "/api/v1/notifications/webhooks"
DELIVERIES = "/api/v1/notifications/deliveries"


def test_maintainer_subscribes_their_team_and_sees_the_secret_once(
    login, maintainer, orgs, settings
):
    settings.AKRITES_WEBHOOK_ALLOW_HTTP = False
    client = login(maintainer)
    body = {
        "organisation": "project_team-org",
        "url": "https://hooks.example.org/a",
        "events": ["case.accept"],
    }
    response = client.post(HOOKS, body, content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    assert created["secret"].startswith("whsec_")
    listed = client.get(HOOKS).json()
    assert [s["id"] for s in listed] == [created["id"]]
    assert "secret" not in listed[0]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"url": "http://hooks.example.org/a", "events": ["*"]}, "url"),
        ({"url": "https://u:p@hooks.example.org/a", "events": ["*"]}, "url"),
        ({"url": "https://hooks.example.org/a", "events": ["nope"]}, "events"),
        ({"url": "https://hooks.example.org/a", "events": []}, "events"),
    ],
)
def test_bad_subscriptions_are_refused(login, maintainer, orgs, settings, body, field):
    settings.AKRITES_WEBHOOK_ALLOW_HTTP = False
    response = login(maintainer).post(
        HOOKS, {"organisation": "project_team-org", **body}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert not WebhookSubscription.objects.exists()


def test_outsider_gets_404_and_nothing_changes(login, outsider, sirt, orgs, case):
    client = login(outsider)
    body = {"organisation": "project_team-org", "url": "https://x.example.org", "events": ["*"]}
    assert client.post(HOOKS, body, content_type="application/json").status_code == 404
    assert client.get(DELIVERIES).status_code == 404
    assert client.post(f"{DELIVERIES}/1/retry").status_code == 404
    sub = WebhookSubscription.objects.create(
        organisation=orgs["sirt"], url="https://x.example.org", secret="s", event_kinds=["*"]
    )
    assert client.delete(f"{HOOKS}/{sub.pk}").status_code == 404
    assert client.get(f"{HOOKS}/{sub.pk}/deliveries").status_code == 404
    assert client.get(HOOKS).json() == []
    assert WebhookSubscription.objects.get().active
    assert not WebhookSubscription.objects.filter(organisation=orgs["project_team"]).exists()


def test_sirt_lists_failures_and_retries_them(login, sirt, reporter, case):
    reporter.email = ""
    reporter.save()
    case_accept(actor=sirt, case=case)
    run_all()
    client = login(sirt)
    (failed,) = client.get(DELIVERIES, {"status": "failed"}).json()
    assert (failed["recipient"], failed["last_error"], failed["case"]) == (
        "reporter",
        "no_address",
        case.human_id,
    )
    response = client.post(f"{DELIVERIES}/{failed['id']}/retry")
    assert response.status_code == 200 and response.json()["status"] == "pending"
    assert Delivery.objects.get(pk=failed["id"]).attempts == 0


def test_unsubscribe_keeps_the_delivery_log(login, sirt, orgs):
    client = login(sirt)
    body = {"organisation": "sirt-org", "url": "https://x.example.org", "events": ["*"]}
    created = client.post(HOOKS, body, content_type="application/json").json()
    assert client.delete(f"{HOOKS}/{created['id']}").status_code == 204
    assert client.get(f"{HOOKS}/{created['id']}/deliveries").json() == []
    assert not WebhookSubscription.objects.get().active
