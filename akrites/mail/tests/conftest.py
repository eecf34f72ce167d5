"""Mail fixtures: the intake keyring of intake's tests, a real SMTP server for receipts,
mail builders, and a border MTA whose Authentication-Results are trusted."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

from akrites.intake.tests.conftest import encrypt_to_platform, intake_keyring, platform_key
from akrites.notifications.tests.conftest import SmtpHandler, free_port, smtp

__all__ = [
    "SmtpHandler",
    "encrypt_to_platform",
    "free_port",
    "intake_keyring",
    "platform_key",
    "smtp",
]

MTA = "mx.akrites.example"
SECURITY = "security@akrites.example"


@pytest.fixture(autouse=True)
def _mail_settings(settings: Any) -> None:
    settings.AKRITES_SECURITY_EMAIL = SECURITY
    settings.AKRITES_MAIL_AUTHSERV_ID = MTA


def passed(domain: str) -> str:
    return f"{MTA}; dkim=pass header.d={domain} header.s=s1; spf=pass smtp.mailfrom={domain}"


def mail(
    *,
    sender: str = "ada@finder.example",
    to: str = SECURITY,
    subject: str = "Heap overflow in pkg:cargo/rivet frame decoder",
    body: str = "frame_decode() reads past the buffer.\n",
    message_id: str = "<m1@finder.example>",
    auth: str | None = "",
    files: tuple[tuple[str, str, bytes], ...] = (),
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = sender, to, subject, message_id
    if auth == "":
        auth = passed(sender.rsplit("@", 1)[-1])
    if auth is not None:
        msg["Authentication-Results"] = auth
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    for name, media, data in files:
        main, _, sub = media.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg
