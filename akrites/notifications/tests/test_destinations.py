"""Webhooks only reach public addresses: refused at subscription and before each delivery."""

import socket

import pytest

from akrites.cases.services import case_accept
from akrites.core.errors import InvalidInput
from akrites.notifications.destinations import literal_refusal, resolution_refusal
from akrites.notifications.models import Delivery
from akrites.notifications.services.subscriptions import webhook_subscribe
from akrites.notifications.tests.helpers import run_all

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "10.1.2.3", "192.168.0.9", "169.254.169.254", "[::1]", "[fd00::1]",
     "[::ffff:127.0.0.1]", "0.0.0.0", "localhost", "db.internal", "printer.local"],
)  # fmt: skip
def test_local_and_private_hosts_are_refused_at_subscription(sirt, orgs, settings, host):
    settings.AKRITES_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(InvalidInput) as refused:
        webhook_subscribe(actor=sirt, org=orgs["sirt"], url=f"https://{host}/hook", events=["*"])
    assert refused.value.field == "url"


def test_public_addresses_and_names_pass_the_literal_check(settings):
    settings.AKRITES_WEBHOOK_ALLOW_PRIVATE = False
    assert literal_refusal("93.184.216.34") is None
    assert literal_refusal("[2606:2800:220:1::1]") is None
    assert literal_refusal("hooks.example.org") is None  # resolved before each delivery


def test_a_name_is_refused_if_any_of_its_addresses_is_private(settings, monkeypatch):
    settings.AKRITES_WEBHOOK_ALLOW_PRIVATE = False
    answers = {
        "hooks.example.org": ["93.184.216.34"],
        "split.example.org": ["93.184.216.34", "10.0.0.7"],
        "meta.example.org": ["169.254.169.254"],
    }

    def resolve(host, port, **_):
        if host not in answers:
            raise socket.gaierror("no such name")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)  # DNS is outside this machine
    assert resolution_refusal("hooks.example.org", 443) is None
    assert resolution_refusal("split.example.org", 443) == "blocked_address"
    assert resolution_refusal("meta.example.org", 443) == "blocked_address"
    assert resolution_refusal("gone.example.org", 443) == "dns_error"
    assert resolution_refusal("localhost.", 443) == "blocked_address"


def test_delivery_to_a_private_address_fails_without_a_request(
    case, sirt, orgs, receiver, settings
):
    webhook_subscribe(actor=sirt, org=orgs["sirt"], url=receiver.url, events=["case.accept"])
    settings.AKRITES_WEBHOOK_ALLOW_PRIVATE = False  # e.g. the setting changed since
    settings.AKRITES_NOTIFY_MAX_ATTEMPTS = 1
    case_accept(actor=sirt, case=case)
    assert run_all("webhook") == ["failed"]
    assert Delivery.objects.get(channel="webhook").last_error == "blocked_address"
    assert receiver.requests == []
