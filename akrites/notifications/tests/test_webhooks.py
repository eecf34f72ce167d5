"""Webhooks against a real HTTP receiver on loopback: 200, 500 and a hanging endpoint."""

import json
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest

from akrites.cases.services import case_accept, case_notify_maintainers
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
    assert receiver.requests == []  # the team is no party before the SIRT notifies it
    case_notify_maintainers(actor=sirt, case=case)
    run_all("webhook")
    kinds = sorted(json.loads(body)["event"] for _, body in receiver.requests)
    assert kinds == ["case.notify_maintainers"]
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


# --- Address pinning: the connection goes to the address that was checked -----------------

NAME = "hooks.example.org"


@pytest.fixture
def pinned_net(settings, monkeypatch):
    """``NAME`` resolves to the queued answers (the last repeats); name lookups are counted.

    127.0.0.2 and 127.0.0.3 stand for public addresses in these tests (nothing else can be
    served here); 127.0.0.1 stays refused as loopback.
    """
    import socket

    from akrites.notifications import destinations

    settings.AKRITES_WEBHOOK_ALLOW_PRIVATE = False
    settings.AKRITES_WEBHOOK_ALLOW_HTTP = True
    settings.AKRITES_WEBHOOK_TIMEOUT = 2
    real_public, real_getaddrinfo = destinations._public, socket.getaddrinfo
    monkeypatch.setattr(
        destinations, "_public", lambda a: a in {"127.0.0.2", "127.0.0.3"} or real_public(a)
    )

    net = SimpleNamespace(answers=[], lookups=[])

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME:
            return real_getaddrinfo(host, port, *args, **kwargs)
        net.lookups.append(host)
        answer = net.answers.pop(0) if len(net.answers) > 1 else net.answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answer]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return net


def _post_to(url):
    webhooks.post(url=url, secret="s3cret", delivery_id=7, kind="case.accept", body=b"{}")


def test_a_rebinding_answer_after_the_check_is_not_connected_to(pinned_net, sites):
    private = sites("127.0.0.1")  # what the second answer points at
    checked = sites("127.0.0.2", private.port)  # what the first, checked answer points at
    pinned_net.answers = [["127.0.0.2"], ["127.0.0.1"]]
    _post_to(f"http://{NAME}:{private.port}/hook?x=1")
    assert private.requests == []
    assert checked.requests == [(f"{NAME}:{private.port}", "/hook?x=1")]
    assert pinned_net.lookups == [NAME]  # resolved once: the check is the connection's answer


def test_the_next_checked_address_is_tried_when_the_first_refuses(pinned_net, sites):
    site = sites("127.0.0.2")
    pinned_net.answers = [["127.0.0.3", "127.0.0.2"]]  # nothing listens on 127.0.0.3
    _post_to(f"http://{NAME}:{site.port}/hook")
    assert site.requests == [(f"{NAME}:{site.port}", "/hook")]


def test_https_to_a_pinned_address_verifies_the_certificate_for_the_name(
    pinned_net, sites, tls, monkeypatch
):
    # The certificate names NAME only (no IP address): it verifies only if the client checks
    # the name, and the server sees the name as SNI although the connection is to an address.
    monkeypatch.setattr(webhooks, "_tls_context", tls.client)
    site = sites("127.0.0.2", tls=tls.server(NAME))
    pinned_net.answers = [["127.0.0.2"]]
    _post_to(f"https://{NAME}:{site.port}/hook")
    assert site.sni == [NAME]
    assert site.requests == [(f"{NAME}:{site.port}", "/hook")]


def test_https_refuses_a_certificate_for_another_name(pinned_net, sites, tls, monkeypatch):
    from akrites.notifications.errors import ChannelError

    monkeypatch.setattr(webhooks, "_tls_context", tls.client)
    site = sites("127.0.0.2", tls=tls.server("other.example.org"))
    pinned_net.answers = [["127.0.0.2"]]
    with pytest.raises(ChannelError) as failed:
        _post_to(f"https://{NAME}:{site.port}/hook")
    assert failed.value.code == "connect_error"
    assert site.requests == []


def test_redirects_are_not_followed(pinned_net, sites):
    from akrites.notifications.errors import ChannelError

    elsewhere = sites("127.0.0.2")
    site = sites("127.0.0.2", status=307, location=f"http://127.0.0.2:{elsewhere.port}/")
    pinned_net.answers = [["127.0.0.2"]]
    with pytest.raises(ChannelError) as failed:
        _post_to(f"http://{NAME}:{site.port}/hook")
    assert failed.value.code == "http_307"
    assert len(site.requests) == 1 and elsewhere.requests == []
