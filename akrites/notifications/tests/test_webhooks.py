"""Webhooks against a real HTTP receiver on loopback: 200, 500 and a hanging endpoint."""

import json
import time
from datetime import timedelta

import pytest

from akrites.cases.services import case_accept
from akrites.core import clock
from akrites.notifications import webhooks
from akrites.notifications.models import Delivery
from akrites.notifications.services.subscriptions import webhook_subscribe
from akrites.notifications.tests.helpers import attempt_due, run_all

pytestmark = pytest.mark.django_db


def _subscribe(actor, org, receiver, events=("*",)):
    return webhook_subscribe(actor=actor, org=org, url=receiver.url, events=list(events))


def test_signed_payload_with_identifiers_only(case, sirt, orgs, maintainer, receiver):
    _, secret = _subscribe(maintainer, orgs["project_team"], receiver)
    case_accept(actor=sirt, case=case)
    run_all("webhook")
    kinds = sorted(json.loads(body)["event"] for _, body in receiver.requests)
    assert kinds == ["case.accept", "report.received"]
    headers, body = receiver.requests[0]
    assert webhooks.verify(secret=secret, header=headers["Akrites-Signature"], body=body)
    doc = json.loads(body)
    assert set(doc) == {"id", "event", "occurred_at", "case", "project", "url"}  # no data
    assert doc["case"] == case.human_id
    assert b"Billion laughs" not in body
    assert headers["Akrites-Delivery"] == doc["id"]
    assert set(Delivery.objects.filter(channel="webhook").values_list("status", flat=True)) == {
        "delivered"
    }


def test_signature_checks_refuse_tampering_replay_and_wrong_secret():
    body = b'{"event":"case.accept"}'
    now = int(time.time())
    header = webhooks.sign(secret="s3cret", timestamp=now, body=body)
    assert webhooks.verify(secret="s3cret", header=header, body=body)
    assert not webhooks.verify(secret="s3cret", header=header, body=body + b" ")
    assert not webhooks.verify(secret="other", header=header, body=body)
    old = webhooks.sign(secret="s3cret", timestamp=now - 600, body=body)
    assert not webhooks.verify(secret="s3cret", header=old, body=body)
    assert not webhooks.verify(secret="s3cret", header="garbage", body=body)


def test_500_is_retried_with_backoff_then_fails_visibly(case, sirt, orgs, receiver, settings):
    settings.AKRITES_NOTIFY_MAX_ATTEMPTS = 2
    receiver.mode = "error"
    _subscribe(sirt, orgs["sirt"], receiver, events=["case.accept"])
    case_accept(actor=sirt, case=case)
    assert run_all("webhook") == ["pending"]
    d = Delivery.objects.get(channel="webhook")
    assert d.last_error == "http_500" and d.next_attempt_at > clock.now()
    clock.advance(timedelta(hours=1))
    assert attempt_due("webhook") == ["failed"]
    assert len(receiver.requests) == 2


def test_hanging_endpoint_times_out_and_recovers_later(case, sirt, orgs, receiver):
    receiver.mode = "hang"
    _subscribe(sirt, orgs["sirt"], receiver, events=["case.accept"])
    case_accept(actor=sirt, case=case)
    started = time.monotonic()
    assert run_all("webhook") == ["pending"]
    assert time.monotonic() - started < 4
    assert Delivery.objects.get(channel="webhook").last_error == "timeout"
    receiver.mode = "ok"
    clock.advance(timedelta(hours=1))
    assert attempt_due("webhook") == ["delivered"]


def test_an_organisation_hears_only_of_cases_its_members_may_see(
    case, other_case, sirt, orgs, maintainer, receiver
):
    _subscribe(maintainer, orgs["project_team"], receiver, events=["case.accept"])
    case_accept(actor=sirt, case=other_case)  # another team's project
    run_all("webhook")
    assert receiver.requests == []
    assert not Delivery.objects.filter(channel="webhook").exists()


def test_unsubscribed_endpoint_is_not_called(case, sirt, orgs, receiver):
    from akrites.notifications.services.subscriptions import webhook_unsubscribe

    sub, _ = _subscribe(sirt, orgs["sirt"], receiver, events=["case.accept"])
    case_accept(actor=sirt, case=case)
    from akrites.notifications.tests.helpers import dispatch_all

    dispatch_all()
    webhook_unsubscribe(actor=sirt, subscription=sub)
    assert attempt_due("webhook") == ["failed"]
    assert receiver.requests == []
