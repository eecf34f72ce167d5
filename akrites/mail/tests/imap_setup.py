"""Helpers of the IMAP tests: mails as a mailbox holds them, sources and clients for the
double (``imap_double``)."""

from __future__ import annotations

import imaplib
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.conf import settings

from akrites.mail.imap import ImapSource
from akrites.mail.tests.imap_double import ImapServer
from conftest import TEST_PASSWORD

SEEN = "\\Seen"


def _mail(
    *,
    subject: str,
    message_id: str | None = None,
    to: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    for name, value in (headers or {}).items():  # trace headers first, as an MTA adds them
        message[name] = value
    message["From"] = "Finder <finder@example.org>"
    message["To"] = to or settings.AKRITES_SECURITY_EMAIL
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    message.set_content(f"{subject}\n\nA heap overflow in the parser, found by fuzzing.\n")
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as a mailbox holds mail


def _source(server: ImapServer, *, password: str = TEST_PASSWORD) -> ImapSource:
    return ImapSource(
        host="127.0.0.1", port=server.port, user="intake", password=password, tls=False
    )


def _client(server: ImapServer) -> imaplib.IMAP4:
    return imaplib.IMAP4("127.0.0.1", server.port, timeout=10)
