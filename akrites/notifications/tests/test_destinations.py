"""Webhooks only reach public addresses: refused at subscription and before each delivery.

The tables below are the contract. An address is refused when it is not public unicast, and
also when it is an IPv6 address that *carries* a non-public IPv4 address (IPv4-mapped,
IPv4-compatible, NAT64, 6to4, Teredo): a packet to it ends up at that IPv4 address.
"""

import socket

import pytest

from akrites.cases.services import case_accept
from akrites.core.errors import InvalidInput
from akrites.notifications import destinations, webhooks
from akrites.notifications.destinations import literal_refusal
from akrites.notifications.errors import ChannelError
from akrites.notifications.models import Delivery
from akrites.notifications.services.subscriptions import webhook_subscribe
from akrites.notifications.tests.helpers import run_all

pytestmark = pytest.mark.django_db

NAME = "hooks.example.org"

# Addresses as a resolver returns them. Each must be refused, at subscription (as a literal
# in the URL) and before a delivery (as the answer for a name).
REFUSED_ADDRESSES = [
    # IPv4: loopback, private, shared, link-local (cloud metadata), this-network, special.
    "127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.0.1", "172.31.255.255",
    "192.168.1.1", "100.64.0.1", "169.254.169.254", "0.0.0.0", "0.1.2.3", "192.0.0.8",
    "198.18.0.1", "192.88.99.1",  # benchmarking; the deprecated 6to4 relay anycast
    "192.0.2.1", "198.51.100.7", "203.0.113.9",  # documentation
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",  # multicast, reserved
    # IPv6: loopback, unspecified, link-local (with and without a zone), ULA, site-local.
    "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456:789a::1", "fec0::1",
    "ff02::1", "ff0e::1",  # multicast, link and global scope
    "2001:db8::1", "3fff::1",  # documentation (RFC 3849, RFC 9637)
    "100::1", "2001:2::1", "2001:10::1", "5f00::1", "4000::1",  # discard, IETF, SRv6, unassigned
    # IPv4-mapped: the kernel connects to the IPv4 address.
    "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",
    # IPv4-compatible (deprecated, RFC 4291): refused whatever it embeds.
    "::127.0.0.1", "::a9fe:a9fe", "::8.8.8.8",
    # NAT64 well-known prefix 64:ff9b::/96 carrying a non-public IPv4.
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::10.0.0.1", "64:ff9b::c0a8:101",
    # Local-use NAT64 64:ff9b:1::/48 (RFC 8215): where the IPv4 sits depends on the operator's
    # prefix length, so it cannot be checked; refused whatever it embeds.
    "64:ff9b:1::a9fe:a9fe", "64:ff9b:1:ffff::808:808",
    # 6to4 2002::/16 (deprecated, RFC 7526): refused whatever it embeds.
    "2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::1", "2002:808:808::1",
    # Teredo 2001::/32 (the client IPv4 is the last 32 bits, inverted): refused whatever it
    # embeds — here 127.0.0.1, 169.254.169.254 and the RFC 4380 example 192.0.2.45.
    "2001:0:808:808:0:0:80ff:fffe", "2001:0:808:808::5601:5601",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
]  # fmt: skip

# Other spellings of local destinations in a URL's host (refused at subscription, and before
# a delivery to a URL stored before this rule). getaddrinfo reads 2130706433, 0x7f.1, 127.1,
# 0177.0.0.1 as 127.0.0.1 (inet_aton), so any host ending in a number must be a dotted quad.
REFUSED_HOSTS = [
    "2130706433", "0x7f000001", "017700000001", "0x7f.1", "0x7f.0.0.1", "127.1", "127.0.1",
    "0177.0.0.1", "127.000.000.001", "0300.0250.1.1", "3232235777", "1.2.3.4.5",
    "127.0.0.1.", "169.254.169.254.",  # a trailing dot is the same address
    "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[0:0:0:0:0:ffff:7f00:0001]",
    "[::1%25lo]", "[fe80::1%25eth0]", "[64:FF9B::A9FE:A9FE]", "[2002:7F00:1::]",
    "localhost", "LOCALHOST", "localhost.", "api.localhost", "printer.local", "db.internal",
    "router.home.arpa",
]  # fmt: skip

# A NAT64 (64:ff9b::/96) or IPv4-mapped embedding of a *public* IPv4 is allowed: it reaches
# that public address (RFC 6052 forbids translating the well-known prefix to private ones,
# and we check the embedded address anyway), and on IPv6-only networks DNS64 answers with
# such addresses for every IPv4-only receiver. 6to4 and Teredo are refused even then (above):
# both are deprecated and need relays we do not control.
ALLOWED_ADDRESSES = [
    "93.184.216.34", "8.8.8.8", "1.1.1.1", "185.199.108.153",
    "2606:2800:220:1:248:1893:25c8:1946", "2001:4860:4860::8888", "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8", "64:ff9b::808:808", "64:ff9b::93.184.216.34",
]  # fmt: skip

# Names pass at subscription: they are resolved, and every answer checked, before each delivery.
ALLOWED_NAMES = [NAME, "Bücher.example", "1e100.net", "0x.example.org", "127.0.0.1.nip.io"]


def _url_host(address):
    if ":" not in address:
        return address
    return "[" + address.replace("%", "%25") + "]"


def _info(address, port):
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))


class FakeNetwork:
    """``NAME`` resolves to the given answers; connections are recorded and refused."""

    def __init__(self, monkeypatch, *answers):
        self.answers = list(answers)
        self.lookups = []
        self.connections = []
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host != NAME:
                return real(host, port, *args, **kwargs)
            self.lookups.append(host)
            return [_info(a, port) for a in self.answers]

        def create_connection(address, *args, **kwargs):
            self.connections.append(address)
            raise ConnectionRefusedError("nothing listens in this test")

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket, "create_connection", create_connection)


def _post(url):
    with pytest.raises(ChannelError) as failed:
        webhooks.post(url=url, secret="s", delivery_id=1, kind="case.accept", body=b"{}")
    return failed.value.code


@pytest.fixture
def strict(settings):
    settings.AKRITES_WEBHOOK_ALLOW_PRIVATE = False
    settings.AKRITES_WEBHOOK_ALLOW_HTTP = False


@pytest.mark.parametrize("host", [_url_host(a) for a in REFUSED_ADDRESSES] + REFUSED_HOSTS)
def test_local_and_private_hosts_are_refused_at_subscription(sirt, orgs, strict, host):
    with pytest.raises(InvalidInput) as refused:
        webhook_subscribe(actor=sirt, org=orgs["sirt"], url=f"https://{host}/hook", events=["*"])
    assert refused.value.field == "url"


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_a_name_resolving_to_a_refused_address_gets_no_connection(strict, monkeypatch, address):
    net = FakeNetwork(monkeypatch, address)
    assert _post(f"https://{NAME}/hook") == "blocked_address"
    assert net.connections == []


@pytest.mark.parametrize("host", [_url_host(a) for a in REFUSED_ADDRESSES] + REFUSED_HOSTS)
def test_a_stored_url_naming_a_refused_host_gets_no_connection(strict, monkeypatch, host):
    net = FakeNetwork(monkeypatch)
    assert _post(f"https://{host}/hook") == "blocked_address"
    assert net.connections == []


@pytest.mark.parametrize("address", ALLOWED_ADDRESSES)
def test_public_addresses_are_accepted_and_connected_to(sirt, orgs, strict, monkeypatch, address):
    url = f"https://{_url_host(address)}/hook"
    webhook_subscribe(actor=sirt, org=orgs["sirt"], url=url, events=["*"])
    net = FakeNetwork(monkeypatch, address)
    assert _post(f"https://{NAME}/hook") == "connect_error"
    assert net.connections == [(address, 443)]  # the address that was checked, and only it


@pytest.mark.parametrize("name", ALLOWED_NAMES)
def test_names_pass_the_literal_check(strict, name):
    assert literal_refusal(name) is None


def test_a_name_is_refused_if_any_of_its_addresses_is_private(strict, monkeypatch):
    answers = {
        "hooks.example.org": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
        "split.example.org": ["93.184.216.34", "10.0.0.7"],
        "meta.example.org": ["169.254.169.254"],
    }

    def resolve(host, port, *args, **kwargs):
        if host not in answers:
            raise socket.gaierror("no such name")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)  # DNS is outside this machine
    assert destinations.checked_addresses("hooks.example.org", 443) == answers["hooks.example.org"]
    for host, code in [
        ("split.example.org", "blocked_address"),
        ("meta.example.org", "blocked_address"),
        ("gone.example.org", "dns_error"),
        ("localhost.", "blocked_address"),
    ]:
        with pytest.raises(ChannelError) as refused:
            destinations.checked_addresses(host, 443)
        assert refused.value.code == code


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


@pytest.mark.parametrize("url", ["https://[::1/hook", "https://[fe80::1%25/x", "https://exa mple/"])
def test_a_malformed_url_is_invalid_input_not_a_server_error(sirt, orgs, url):
    with pytest.raises(InvalidInput) as caught:
        webhook_subscribe(actor=sirt, org=orgs["sirt"], url=url, events=["*"])
    assert caught.value.field == "url"
