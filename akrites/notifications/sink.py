"""The demo's SMTP sink: a real SMTP server on loopback that keeps what it receives.

``make run`` starts it (``akrites serve --with-mail-sink``, which runs ``akrites mail-sink``
beside the web server and the worker) and points ``AKRITES_EMAIL_HOST``/``PORT`` at it, so the
demo's notifications travel over real SMTP and arrive somewhere one can look: each message
is written as one ``.eml`` file in ``AKRITES_MAIL_SINK_DIR`` (``var/outbox/``), listed by the
debug-only Outbox page. Production sends through its relay and never runs this.

The sink accepts mail from anyone who can reach it and relays nothing, so it binds loopback
addresses only. aiosmtpd is the optional ``demo`` extra (``make run`` installs it); the
reading side below needs nothing beyond the standard library.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from akrites.core.errors import InvalidInput, NotFound

# Names the sink gives its files; the page accepts no other (no path ever comes from a user).
NAME = re.compile(r"\d{8}T\d{6}\d{6}Z-[0-9a-f]{16}\.eml")
MAX_LISTED = 500


def check_loopback(host: str) -> None:
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise InvalidInput("host", "the mail sink listens on loopback addresses only")


class SinkHandler:
    """aiosmtpd handler: write each message whole, under a fresh name, atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{secrets.token_hex(8)}.eml"
        trace = (
            f"X-Akrites-Sink-From: {envelope.mail_from}\r\n"
            f"X-Akrites-Sink-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        partial = self.directory / f".{name}.part"
        partial.write_bytes(trace + envelope.original_content)
        partial.rename(self.directory / name)
        return "250 OK: kept in the outbox"


def start(*, host: str, port: int, directory: Path) -> Any:
    """Start the sink in a background thread; returns the aiosmtpd ``Controller`` to stop."""
    check_loopback(host)
    from aiosmtpd.controller import Controller  # the optional ``demo`` extra

    controller = Controller(SinkHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


@dataclass(frozen=True)
class SinkMessage:
    name: str
    sender: str
    recipients: str
    subject: str
    date: datetime | None
    message: EmailMessage

    def body(self) -> str:
        """The text as sent: a notice, or the ASCII armour of an encrypted one."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        return "" if part is None else str(part.get_content())


def _read(path: Path) -> SinkMessage:
    msg = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    try:
        date = parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError):
        date = None
    return SinkMessage(
        name=path.name,
        sender=str(msg.get("From", "")),
        recipients=str(msg.get("X-Akrites-Sink-To") or msg.get("To", "")),
        subject=str(msg.get("Subject", "")),
        date=date,
        message=msg,
    )


def sink_list(directory: Path) -> list[SinkMessage]:
    """The newest ``MAX_LISTED`` messages, newest first."""
    if not directory.is_dir():
        return []
    names = sorted((p.name for p in directory.iterdir() if NAME.fullmatch(p.name)), reverse=True)
    return [_read(directory / n) for n in names[:MAX_LISTED]]


def sink_get(directory: Path, name: str) -> SinkMessage:
    if not NAME.fullmatch(name) or not (directory / name).is_file():
        raise NotFound()
    return _read(directory / name)
