"""Where a webhook may go: public internet addresses only.

A member organisation chooses its webhook URL; without this check it could point Akrites at
the SIRT's own network (a metadata service at 169.254.169.254, an admin port on loopback, a
database on 10.0.0.0/8) and use signed deliveries and their error codes to probe it.

Two checks: at subscription, a URL naming a non-public address literally (or ``localhost``)
is refused with a clear message; before each delivery the host name is resolved and every
address it resolves to must be public. A name that resolves differently between the check
and the connection (DNS rebinding) is not caught; deployments that must exclude it route
webhooks through an egress proxy (docs/DEPLOY.md). ``AKRITES_WEBHOOK_ALLOW_PRIVATE`` (on only
in debug by default) lifts both checks for development and tests on loopback.
"""

from __future__ import annotations

import ipaddress
import socket

from django.conf import settings

_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".home.arpa")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def literal_refusal(host: str) -> str | None:
    """Why a URL's host is refused without resolving it, or None (subscription time)."""
    if settings.AKRITES_WEBHOOK_ALLOW_PRIVATE:
        return None
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(_LOCAL_NAMES):
        return "Give a public host name: local names are not reachable from Akrites."
    try:
        public = _public(name)
    except ValueError:
        return None  # a name: checked when it is resolved, before each delivery
    return None if public else "Give a public address: private and local networks are refused."


def resolution_refusal(host: str, port: int) -> str | None:
    """An error code if ``host`` resolves to nothing or to any non-public address."""
    if settings.AKRITES_WEBHOOK_ALLOW_PRIVATE:
        return None
    if literal_refusal(host):
        return "blocked_address"
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return "dns_error"
    if not infos or not all(_public(str(info[4][0])) for info in infos):
        return "blocked_address"
    return None
