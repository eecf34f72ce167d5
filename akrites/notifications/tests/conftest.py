"""Real local servers for the notification channels, and OpenPGP keys for recipients.

* ``smtp``: an aiosmtpd server on loopback that accepts, or refuses with 5xx (switchable).
* ``silent_smtp`` / ``closed_port``: a port that accepts TCP but never greets (timeouts), and
  a port nobody listens on (connection refused).
* ``receiver``: a threaded HTTP server that answers 200, 500, or hangs (switchable).
* ``sites`` / ``tls``: HTTP(S) servers on chosen loopback addresses (127.0.0.2, …), and a
  throwaway CA issuing certificates for names, for the address-pinning tests.
* ``pgp``: a throwaway secret keyring that generates a valid and an expired key pair.
"""

from __future__ import annotations

import datetime
import http.server
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gnupg
import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def free_port() -> int:
    # aiosmtpd 1.4.6 cannot bind port 0 itself: ask the kernel for a port first.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpHandler:
    messages: list[Any] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "554 5.7.1 Refused for the test"
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpHandler]:
    handler = SmtpHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def silent_smtp(settings: Any) -> Iterator[int]:
    """Accepts connections (the kernel's backlog) but never says hello: the client times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = int(listener.getsockname()[1])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 1
    try:
        yield port
    finally:
        listener.close()


@pytest.fixture
def closed_port(settings: Any) -> int:
    port = free_port()  # closed again: nothing listens there now
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 1
    return port


@dataclass
class Receiver:
    url: str
    mode: str = "ok"  # ok | error | hang
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.AKRITES_WEBHOOK_ALLOW_HTTP = True
    settings.AKRITES_WEBHOOK_ALLOW_PRIVATE = True  # the receiver listens on loopback
    settings.AKRITES_WEBHOOK_TIMEOUT = 1
    state = Receiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append((dict(self.headers.items()), body))
            if state.mode == "hang":
                state.release.wait(5)
            self.send_response(200 if state.mode == "ok" else 500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


@dataclass
class Site:
    """One server: what it was asked (Host header, path) and which SNI names it saw."""

    address: str
    port: int
    requests: list[tuple[str, str]] = field(default_factory=list)
    sni: list[str | None] = field(default_factory=list)


@pytest.fixture
def sites() -> Iterator[Callable[..., Site]]:
    """Start servers: ``sites("127.0.0.2", port=…, tls=ctx, status=200, location=None)``."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(
        address: str,
        port: int = 0,
        *,
        tls: ssl.SSLContext | None = None,
        status: int = 200,
        location: str | None = None,
    ) -> Site:
        site = Site(address=address, port=port)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                site.requests.append((self.headers.get("Host", ""), self.path))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer((address, port), Handler)
        server.daemon_threads = True
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _ctx: site.sni.append(name)
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        site.port = int(server.server_address[1])
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return site

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@dataclass
class CertAuthority:
    """A throwaway certificate authority; ``client()`` is a context that trusts only it."""

    directory: Path
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    def client(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.directory / "ca.pem"))

    def server(self, *names: str) -> ssl.SSLContext:
        """A server context whose certificate names exactly ``names`` (DNS names, no IP)."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            _builder(names[0], self.cert.subject, key)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), False
            )
            .sign(self.key, hashes.SHA256())
        )
        pem = self.directory / f"{names[0]}.pem"
        pem.write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(pem))
        return context


def _builder(
    cn: str, issuer: x509.Name, key: ec.EllipticCurvePrivateKey
) -> x509.CertificateBuilder:
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=1))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )


@pytest.fixture
def tls(tmp_path: Path) -> CertAuthority:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Akrites test CA")])
    cert = (
        _builder("Akrites test CA", name, key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            True,
        )
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return CertAuthority(directory=tmp_path, key=key, cert=cert)


@dataclass
class Keys:
    gpg: Any
    valid: str
    valid_fpr: str
    expired: str
    signing_only: str

    def decrypt(self, text: str) -> str:
        result = self.gpg.decrypt(text)
        assert result.ok, result.status
        return str(result)


def _gen(gpg: Any, email: str, *, expire: str = "0", encrypt: bool = True) -> Any:
    params = {
        "key_type": "EDDSA",
        "key_curve": "ed25519",
        "key_usage": "sign",
        "name_real": "Test Recipient",
        "name_email": email,
        "expire_date": expire,
        "no_protection": True,
    }
    if encrypt:
        params.update(subkey_type="ECDH", subkey_curve="cv25519", subkey_usage="encrypt")
    result = gpg.gen_key(gpg.gen_key_input(**params))
    assert result.fingerprint, result.status
    return result.fingerprint


@pytest.fixture(scope="session")
def pgp() -> Iterator[Keys]:
    # Short home paths: gpg-agent's socket path must stay under ~100 bytes.
    home = tempfile.mkdtemp(prefix="akr-pgp-", dir="/tmp")
    old_home = tempfile.mkdtemp(prefix="akr-pgx-", dir="/tmp")
    gpg = gnupg.GPG(gnupghome=home)
    valid = _gen(gpg, "valid@example.org")
    signing_only = _gen(gpg, "sign@example.org", encrypt=False)
    # An expired key: made "in 2020" with a one-day lifetime.
    old = gnupg.GPG(gnupghome=old_home, options=["--faked-system-time", "20200101T000000"])
    expired = _gen(old, "expired@example.org", expire="1d")
    keys = Keys(
        gpg=gpg,
        valid=gpg.export_keys(valid),
        valid_fpr=valid,
        expired=old.export_keys(expired),
        signing_only=gpg.export_keys(signing_only),
    )
    try:
        yield keys
    finally:
        for h in (home, old_home):
            subprocess.run(["gpgconf", "--homedir", h, "--kill", "all"], check=False)
            shutil.rmtree(h, ignore_errors=True)


@pytest.fixture
def rcpt_keyring(settings: Any) -> Iterator[str]:
    from akrites.notifications.openpgp import _keyrings

    home = tempfile.mkdtemp(prefix="akr-rk-", dir="/tmp")
    settings.AKRITES_RECIPIENT_KEYRING = home
    try:
        yield home
    finally:
        ring = _keyrings.pop(home, None)
        if ring is not None:
            ring.close()
        shutil.rmtree(home, ignore_errors=True)


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
