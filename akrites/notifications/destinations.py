"""Where a webhook may go: public internet addresses only.

A member organisation chooses its webhook URL; without this check it could point Akrites at
the SIRT's own network (a metadata service at 169.254.169.254, an admin port on loopback, a
database on 10.0.0.0/8) and use signed deliveries and their error codes to probe it.

Two checks: at subscription, a URL naming a non-public address literally (or ``localhost``)
is refused with a clear message; before each delivery the host name is resolved, every
address it resolves to must be public, and the delivery connects to those checked addresses
only (``webhooks.post`` pins them), so a name that answers differently for the connection
(DNS rebinding) gains nothing. ``AKRITES_WEBHOOK_ALLOW_PRIVATE`` (on only in debug by
default) lifts the address checks for development and tests on loopback.

"Public" is decided here, not by ``ipaddress.is_global`` alone: its tables differ between
Python releases, and it calls IPv6 ranges global that carry a private IPv4 address inside
(NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``, IPv4-compatible ``::/96``).
"""

from __future__ import annotations

import ipaddress
import re
import socket

from django.conf import settings

from akrites.notifications.errors import ChannelError

_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".home.arpa")
# Ranges that are not reachable public unicast, whatever ``is_global`` says in this release.
_IPV4_REFUSED = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    )
)  # fmt: skip
_IPV6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_IPV6_REFUSED = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "2001::/23",  # IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4 (deprecated, RFC 7526): relays we do not control
        "3fff::/20",  # documentation (RFC 9637)
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known prefix, IPv4 in the last 32 bits
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated (RFC 4291)
# WHATWG URL and inet_aton read a host ending in a number as IPv4 (2130706433, 0x7f.1, 127.1).
_ENDS_IN_NUMBER = re.compile(r"(?:.*\.)?(?:[0-9]+|0x[0-9a-f]*)")
# Trying more addresses of one name would let one slow name hold a worker for long.
MAX_ADDRESSES = 3


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a packet to ``ip`` is delivered to by a transition mechanism, if any.

    IPv4-mapped, IPv4-compatible and NAT64 (well-known prefix) carry it in the last 32 bits,
    6to4 in bits 16 to 48, Teredo (the client) inverted in the last 32 bits. The local-use NAT64
    prefix ``64:ff9b:1::/48`` places it where the operator's prefix length says, which cannot
    be known here: it is not global unicast and is refused as such.
    """
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def _public_ipv4(ip: ipaddress.IPv4Address) -> bool:
    return ip.is_global and not any(ip in net for net in _IPV4_REFUSED)


def _public(address: str) -> bool:
    """Whether a connection to ``address`` (a literal, as getaddrinfo gives it) stays public.

    Raises ValueError for anything that is not an address. A zone id (``fe80::1%eth0``) is
    only meaningful for a local scope, so it is refused. Allowed IPv6: global unicast outside
    the refused ranges, and IPv4-mapped or NAT64 addresses of a public IPv4 (DNS64 networks
    answer with the latter for every IPv4-only receiver).
    """
    if "%" in address:
        ipaddress.ip_address(address)  # still a ValueError for a name with a "%"
        return False
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv4Address):
        return _public_ipv4(ip)
    inner = embedded_ipv4(ip)
    if inner is not None and not _public_ipv4(inner):
        return False
    if ip.ipv4_mapped is not None or ip in _NAT64:
        return True
    return (
        ip in _IPV6_GLOBAL_UNICAST and ip.is_global and not any(ip in net for net in _IPV6_REFUSED)
    )


def literal_refusal(host: str) -> str | None:
    """Why a URL's host is refused without resolving it, or None (subscription time)."""
    name = host.strip("[]").lower().rstrip(".")
    try:
        public = _public(name)
    except ValueError:
        if _ENDS_IN_NUMBER.fullmatch(name):
            # Resolvers read these as IPv4 (2130706433 is 127.0.0.1); one spelling only.
            return "Write an IPv4 address as four decimal numbers, or give a host name."
        public = None  # a name: checked when it is resolved, before each delivery
    if settings.AKRITES_WEBHOOK_ALLOW_PRIVATE:
        return None
    if public is None:
        if name == "localhost" or name.endswith(_LOCAL_NAMES):
            return "Give a public host name: local names are not reachable from Akrites."
        return None
    return None if public else "Give a public address: private and local networks are refused."


def checked_addresses(host: str, port: int) -> list[str]:
    """Resolve ``host`` once; return the addresses a delivery may connect to, in order.

    Every address the name resolves to must be public (unless AKRITES_WEBHOOK_ALLOW_PRIVATE),
    or the whole name is refused. The caller connects to these addresses only — never resolving the
    name again. Raises ``ChannelError("blocked_address" | "dns_error")``.
    """
    if literal_refusal(host):
        raise ChannelError("blocked_address")
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ChannelError("dns_error") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise ChannelError("dns_error")
    if not settings.AKRITES_WEBHOOK_ALLOW_PRIVATE and not all(map(_public, addresses)):
        raise ChannelError("blocked_address")
    return addresses[:MAX_ADDRESSES]
