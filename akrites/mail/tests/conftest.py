"""Mail fixtures: the intake keyring of intake's tests, a real SMTP server for receipts,
mail builders, and a border MTA whose Authentication-Results are trusted."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from akrites.intake.tests.conftest import encrypt_to_platform, intake_keyring, platform_key
from akrites.mail.tests.imap_double import Mailbox, imap_server
from akrites.notifications.tests.conftest import SmtpHandler, free_port, smtp
from conftest import TEST_PASSWORD

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


# --- the IMAP double (akrites.mail.tests.imap_double) --------------------------------------


@pytest.fixture
def mailbox() -> Any:
    return Mailbox(user="intake", password=TEST_PASSWORD)


@pytest.fixture
def server(mailbox: Any) -> Iterator[Any]:
    with imap_server(mailbox) as running:
        yield running


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1 (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    start = datetime.now(UTC) - timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    where = tmp_path_factory.mktemp("imap-tls")
    cert_file, key_file = where / "cert.pem", where / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls_server(mailbox, certificate) -> Iterator[Any]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with imap_server(mailbox, tls=context) as running:
        yield running
