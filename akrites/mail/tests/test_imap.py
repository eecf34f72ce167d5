"""The IMAP poller against a local IMAP4rev1 server (``imap_double``), and the double
against Python's own IMAP client, so that what the poller is tested on is the protocol."""

from __future__ import annotations

import imaplib
import io
import ipaddress
import signal
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management import CommandError, call_command

from akrites.intake.models import Channel, Report
from akrites.mail import imap
from akrites.mail.imap import ImapSource, Polled, poll_once
from akrites.mail.inbound import Received, mail_receive
from akrites.mail.models import InboundMail
from akrites.mail.tests.imap_double import ImapServer, Mailbox, imap_server
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


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox(user="intake", password=TEST_PASSWORD)


@pytest.fixture
def server(mailbox: Mailbox) -> Iterator[ImapServer]:
    with imap_server(mailbox) as running:
        yield running


def _source(server: ImapServer, *, password: str = TEST_PASSWORD) -> ImapSource:
    return ImapSource(
        host="127.0.0.1", port=server.port, user="intake", password=password, tls=False
    )


def _client(server: ImapServer) -> imaplib.IMAP4:
    return imaplib.IMAP4("127.0.0.1", server.port, timeout=10)


# --- the double, checked against imaplib (a real client) and raw bytes -------------------


def test_the_double_greets_and_answers_capability_and_noop_to_imaplib(server):
    with _client(server) as client:
        assert "IMAP4REV1" in client.capabilities
        assert client.capability() == ("OK", [b"IMAP4rev1"])
        assert client.noop()[0] == "OK"
        assert client.logout()[0] == "BYE"


def test_the_double_refuses_a_wrong_password_with_no(server, mailbox):
    with _client(server) as client:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login("intake", "not-the-password")
        with pytest.raises(imaplib.IMAP4.error):
            client.login("someone", TEST_PASSWORD)
    # imaplib asks CAPABILITY first; on leaving the block it logs out (allowed in any state)
    assert mailbox.commands == ["CAPABILITY", "LOGIN", "LOGIN", "LOGOUT"]


def test_the_double_reads_a_quoted_password_with_quote_and_backslash():
    box = Mailbox(user="intake", password='pa"ss\\word (x)')
    with imap_server(box) as server, _client(server) as client:
        assert client.login("intake", 'pa"ss\\word (x)')[0] == "OK"


def test_select_answers_exists_flags_and_uidvalidity(server, mailbox):
    mailbox.add(_mail(subject="one"), seen=True)
    mailbox.add(_mail(subject="two"))
    with _client(server) as client:
        client.login("intake", TEST_PASSWORD)
        assert client.select("INBOX") == ("OK", [b"2"])
        assert client.response("UIDVALIDITY") == ("UIDVALIDITY", [b"1700000000"])
        assert client.response("UIDNEXT") == ("UIDNEXT", [b"3"])
        assert client.response("UNSEEN") == ("UNSEEN", [b"2"])
        assert b"\\Seen" in client.response("FLAGS")[1][0]
        assert client.select("Nowhere")[0] == "NO"


def test_fetch_returns_the_exact_bytes_and_peek_keeps_the_mail_unseen(server, mailbox):
    raw = _mail(subject="bytes") + b"\xff\x00 binary tail )\r\n"
    uid = mailbox.add(raw)
    with _client(server) as client:
        client.login("intake", TEST_PASSWORD)
        client.select("INBOX")
        status, parts = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        assert status == "OK"
        assert parts[0] == (f"1 (UID {uid} BODY[] {{{len(raw)}}}".encode(), raw)
        assert parts[1] == b")"
        assert client.uid("SEARCH", "UNSEEN") == ("OK", [str(uid).encode()])
        assert mailbox.flags(uid) == set()
        status, parts = client.uid("FETCH", str(uid), "(BODY[])")  # no PEEK: sets \Seen
        assert parts[0][1] == raw and b"FLAGS (\\Seen)" in parts[1]
        assert mailbox.flags(uid) == {SEEN}
        assert client.uid("SEARCH", "UNSEEN") == ("OK", [b""])


def test_store_and_search_round_trip_the_seen_flag(server, mailbox):
    first, second = mailbox.add(_mail(subject="a")), mailbox.add(_mail(subject="b"))
    with _client(server) as client:
        client.login("intake", TEST_PASSWORD)
        client.select("INBOX")
        assert client.uid("SEARCH", "ALL") == ("OK", [f"{first} {second}".encode()])
        status, data = client.uid("STORE", str(second), "+FLAGS", "(\\Seen)")
        assert (status, data) == ("OK", [f"2 (UID {second} FLAGS (\\Seen))".encode()])
        assert client.uid("SEARCH", "UNSEEN") == ("OK", [str(first).encode()])
        assert client.uid("SEARCH", "SEEN") == ("OK", [str(second).encode()])
        status, data = client.uid("FETCH", f"{first}:*", "(FLAGS)")
        assert data == [
            f"1 (UID {first} FLAGS ())".encode(),
            f"2 (UID {second} FLAGS (\\Seen))".encode(),
        ]
        client.uid("STORE", str(second), "-FLAGS.SILENT", "(\\Seen)")
        assert client.uid("SEARCH", "UNSEEN") == ("OK", [f"{first} {second}".encode()])
        assert client.uid("FETCH", "99", "(BODY.PEEK[])") == ("OK", [None])  # no such UID
    assert mailbox.flags(second) == set()


def test_noop_tells_of_mail_delivered_after_select(server, mailbox):
    mailbox.add(_mail(subject="early"))
    with _client(server) as client:
        client.login("intake", TEST_PASSWORD)
        client.select("INBOX")
        late = mailbox.add(_mail(subject="late"))
        assert client.uid("SEARCH", "ALL") == ("OK", [b"1"])  # not told of it yet
        client.noop()
        assert client.response("EXISTS")[1][-1] == b"2"
        assert client.uid("SEARCH", "ALL") == ("OK", [f"1 {late}".encode()])


def _raw_session(server: ImapServer, *lines: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        for line in lines:
            sock.sendall(line)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_the_wire_format_is_rfc_3501(server, mailbox):
    """Literal syntax both ways, the tagged answers, BAD in the wrong state, BYE."""
    raw = _mail(subject="wire")
    mailbox.add(raw)
    password = TEST_PASSWORD.encode()
    answer = _raw_session(
        server,
        b"a0 SELECT INBOX\r\n",
        b"a1 LOGIN intake {%d}\r\n" % len(password) + password + b"\r\n",
        b'a2a SELECT "INBOX"\r\n',
        b"a2 UID FETCH 1 (BODY.PEEK[])\r\n",
        b"a3 FROB\r\n",
        b"a4 LOGOUT\r\n",
    )
    assert answer.startswith(b"* OK [CAPABILITY IMAP4rev1]")
    assert b"\r\na0 BAD " in answer  # SELECT before LOGIN
    assert b"\r\n+ Ready for literal data\r\na1 OK " in answer
    fetched = b"* 1 FETCH (UID 1 BODY[] {%d}\r\n" % len(raw) + raw + b")\r\na2 OK "
    assert fetched in answer
    assert b"\r\na3 BAD " in answer
    assert answer.endswith(b"* BYE IMAP4rev1 double logging out\r\na4 OK LOGOUT completed\r\n")


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
def tls_server(mailbox, certificate) -> Iterator[ImapServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with imap_server(mailbox, tls=context) as running:
        yield running


def test_the_double_speaks_implicit_tls_to_imaplib(tls_server, mailbox, certificate):
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    with imaplib.IMAP4_SSL("localhost", tls_server.port, ssl_context=trusting) as client:
        assert client.login("intake", TEST_PASSWORD)[0] == "OK"
    assert mailbox.commands == ["CAPABILITY", "LOGIN", "LOGOUT"]


# --- the poller ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_poll_makes_a_report_of_each_unseen_mail_and_marks_them_seen(server, mailbox):
    seen_before = mailbox.add(_mail(subject="Already read by a person"), seen=True)
    first = mailbox.add(_mail(subject="Heap overflow in libfoo"))
    second = mailbox.add(_mail(subject="Path traversal in barlib"))

    assert poll_once(_source(server)) == Polled(fetched=2, accepted=2, failed=0)

    reports = Report.objects.order_by("created_at", "pk")
    assert [r.channel for r in reports] == [Channel.EMAIL, Channel.EMAIL]
    assert sorted(r.title for r in reports) == [
        "Heap overflow in libfoo",
        "Path traversal in barlib",
    ]
    assert mailbox.flags(first) == mailbox.flags(second) == {SEEN}
    assert mailbox.flags(seen_before) == {SEEN}
    # the poller only peeked and stored flags: the already seen mail was never fetched
    assert "UID FETCH" in mailbox.commands and mailbox.commands[-1] == "LOGOUT"
    assert mailbox.commands.count("UID FETCH") == 2

    assert poll_once(_source(server)) == Polled(fetched=0, accepted=0, failed=0)
    assert Report.objects.count() == 2
    assert mailbox.commands.count("UID FETCH") == 2


@pytest.mark.django_db
def test_the_same_mail_twice_in_the_mailbox_is_one_report(server, mailbox):
    raw = _mail(subject="Heap overflow in libfoo", message_id="<once@example.org>")
    copies = mailbox.add(raw), mailbox.add(raw)

    assert poll_once(_source(server)) == Polled(fetched=2, accepted=2, failed=0)

    assert Report.objects.count() == 1
    assert InboundMail.objects.count() == 1
    assert all(mailbox.flags(uid) == {SEEN} for uid in copies)


@pytest.mark.django_db
def test_a_mail_answered_with_a_temporary_failure_stays_unseen(server, mailbox, monkeypatch):
    later = mailbox.add(_mail(subject="Try me later", message_id="<later@example.org>"))
    now = mailbox.add(_mail(subject="Take me now"))

    def busy_for_one(raw: bytes, *, recipients: list[str]) -> Received:
        if b"<later@example.org>" in raw:
            return Received(451, "4.3.0 Try again later")
        return mail_receive(raw, recipients=recipients)

    monkeypatch.setattr(imap, "mail_receive", busy_for_one)
    assert poll_once(_source(server)) == Polled(fetched=2, accepted=1, failed=1)
    assert mailbox.flags(later) == set()
    assert mailbox.flags(now) == {SEEN}
    assert Report.objects.count() == 1

    monkeypatch.setattr(imap, "mail_receive", mail_receive)  # the store is back
    assert poll_once(_source(server)) == Polled(fetched=1, accepted=1, failed=0)
    assert mailbox.flags(later) == {SEEN}
    assert Report.objects.count() == 2


@pytest.mark.django_db
def test_the_poller_over_tls_takes_mail_from_a_server_it_trusts(
    tls_server, mailbox, certificate, monkeypatch
):
    uid = mailbox.add(_mail(subject="Heap overflow in libfoo"))
    system_default = ssl.create_default_context

    def trusting_our_ca(*args, **kwargs):
        return system_default(*args, cafile=str(certificate[0]), **kwargs)

    monkeypatch.setattr(imap.ssl, "create_default_context", trusting_our_ca)
    source = ImapSource(
        host="localhost", port=tls_server.port, user="intake", password=TEST_PASSWORD
    )
    assert poll_once(source) == Polled(fetched=1, accepted=1, failed=0)
    assert mailbox.flags(uid) == {SEEN}


@pytest.mark.django_db
def test_the_poller_refuses_a_server_certificate_it_cannot_verify(tls_server, mailbox):
    """The attack: someone on the path answers with a certificate of their own. The poller
    must not send the password to it."""
    mailbox.add(_mail(subject="Heap overflow in libfoo"))
    source = ImapSource(
        host="localhost", port=tls_server.port, user="intake", password=TEST_PASSWORD
    )
    with pytest.raises(ssl.SSLCertVerificationError):
        poll_once(source)
    assert mailbox.commands == []  # not even the greeting was answered
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_mail_that_breaks_the_handler_blocks_no_other_mail(server, mailbox, monkeypatch, caplog):
    poison = mailbox.add(_mail(subject="Poison", message_id="<poison@example.org>"))
    after = mailbox.add(_mail(subject="Heap overflow in libfoo"))

    def breaks_on_one(raw: bytes, *, recipients: list[str]) -> Received:
        if b"<poison@example.org>" in raw:
            raise RuntimeError("secret-marker-from-the-mail")
        return mail_receive(raw, recipients=recipients)

    monkeypatch.setattr(imap, "mail_receive", breaks_on_one)
    assert poll_once(_source(server)) == Polled(fetched=2, accepted=1, failed=1)

    assert mailbox.flags(poison) == set()  # tried again next time, like a 4xx
    assert mailbox.flags(after) == {SEEN}
    assert Report.objects.count() == 1
    assert mailbox.commands[-1] == "LOGOUT"
    assert f"uid {poison}" in caplog.text and "RuntimeError" in caplog.text
    assert "secret-marker" not in caplog.text  # the exception's text may quote the mail


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"Cc": "Security <SECURITY@akrites.example>"},
        {"Delivered-To": "security@akrites.example"},  # a Bcc: only the MDA's trace names us
        {},  # no trace at all: the mailbox still is security@'s
    ],
    ids=["cc", "bcc-delivered-to", "no-trace"],
)
def test_a_mail_in_the_mailbox_not_addressed_to_us_in_to_still_becomes_a_report(
    server, mailbox, headers
):
    uid = mailbox.add(
        _mail(subject="Heap overflow in libfoo", to="maintainers@libfoo.example", headers=headers)
    )

    assert poll_once(_source(server)) == Polled(fetched=1, accepted=1, failed=0)

    assert Report.objects.get().channel == Channel.EMAIL  # nothing vanishes as "not ours"
    assert mailbox.flags(uid) == {SEEN}


@pytest.mark.django_db
def test_a_reply_to_a_reply_address_is_posted_on_the_case(
    server, mailbox, case, sirt, reporter, settings
):
    from akrites.conversation.models import Message, Via
    from akrites.conversation.replies import reply_address_issue
    from akrites.conversation.services import message_post

    settings.AKRITES_MAIL_AUTHSERV_ID = "mx.akrites.example"
    reporter.email = "finder@example.org"
    reporter.save(update_fields=["email"])
    asked = message_post(actor=sirt, case=case, audience="parties", body="Which version?")
    address = reply_address_issue(
        user_id=reporter.pk, address=reporter.email, case=case, message=asked
    )
    trace = {
        "Delivered-To": address,
        "Authentication-Results": "mx.akrites.example; dmarc=pass header.from=example.org",
    }
    uid = mailbox.add(_mail(subject="Re: your question", to=address, headers=trace))

    assert poll_once(_source(server)) == Polled(fetched=1, accepted=1, failed=0)

    reply = Message.objects.get(case=case, via=Via.EMAIL)
    assert (reply.author_id, reply.audience) == (reporter.pk, "parties")
    assert not Report.objects.exclude(pk=case.reports.get().pk).exists()  # no new report
    assert mailbox.flags(uid) == {SEEN}


@pytest.mark.django_db
def test_a_mail_refused_for_good_is_marked_seen_and_makes_no_report(server, mailbox):
    forged = mailbox.add(_mail(subject="Re: case", to="security+forgedtoken@akrites.example"))

    assert poll_once(_source(server)) == Polled(fetched=1, accepted=0, failed=0)

    assert mailbox.flags(forged) == {SEEN}  # a 5xx is final: not fetched again and again
    assert not Report.objects.exists()
    assert InboundMail.objects.get().outcome == "refused"


@pytest.mark.django_db
def test_a_wrong_password_raises_and_stores_nothing(server, mailbox):
    mailbox.add(_mail(subject="Heap overflow in libfoo"))

    with pytest.raises(imaplib.IMAP4.error):
        poll_once(_source(server, password="not-the-password"))

    assert mailbox.commands == ["CAPABILITY", "LOGIN", "LOGOUT"]
    assert not Report.objects.exists()
    assert not InboundMail.objects.exists()


@pytest.mark.django_db
def test_a_missing_folder_raises_and_stores_nothing(server, mailbox):
    mailbox.add(_mail(subject="Heap overflow in libfoo"))
    source = ImapSource(
        host="127.0.0.1",
        port=server.port,
        user="intake",
        password=TEST_PASSWORD,
        folder="Nowhere",
        tls=False,
    )
    with pytest.raises(imaplib.IMAP4.error, match="SELECT 'Nowhere' failed: NO"):
        poll_once(source)
    assert "UID SEARCH" not in mailbox.commands
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_folder_name_with_a_space_or_quote_is_sent_quoted():
    box = Mailbox(user="intake", password=TEST_PASSWORD, folder='Security "Reports"')
    uid = box.add(_mail(subject="Heap overflow in libfoo"))
    with imap_server(box) as server:
        source = ImapSource(
            host="127.0.0.1",
            port=server.port,
            user="intake",
            password=TEST_PASSWORD,
            folder='Security "Reports"',
            tls=False,
        )
        assert poll_once(source) == Polled(fetched=1, accepted=1, failed=0)
    assert box.flags(uid) == {SEEN}


@pytest.mark.parametrize("folder", ["INBOX\r\na9 DELETE INBOX", "Sicherheitslücken"])
def test_a_folder_name_that_cannot_be_quoted_is_refused_before_connecting(server, mailbox, folder):
    source = ImapSource(
        host="127.0.0.1",
        port=server.port,
        user="intake",
        password=TEST_PASSWORD,
        folder=folder,
        tls=False,
    )
    with pytest.raises(ValueError, match="folder name"):
        poll_once(source)
    assert mailbox.commands == []


@pytest.fixture
def _signals_restored() -> Iterator[None]:
    """``mail poll`` installs SIGINT/SIGTERM handlers for --every; put pytest's back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.mark.django_db
@pytest.mark.usefixtures("_signals_restored")
def test_the_poll_command_reads_the_password_from_the_environment(server, mailbox, monkeypatch):
    uid = mailbox.add(_mail(subject="Heap overflow in libfoo"))
    argv = ["--host", "127.0.0.1", "--port", str(server.port), "--user", "intake", "--plain"]
    monkeypatch.delenv("AKRITES_IMAP_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="AKRITES_IMAP_PASSWORD"):
        call_command("mail", "poll", *argv)
    assert mailbox.commands == []  # not even connected

    monkeypatch.setenv("AKRITES_IMAP_PASSWORD", TEST_PASSWORD)
    call_command("mail", "poll", *argv)

    assert Report.objects.get().channel == Channel.EMAIL
    assert mailbox.flags(uid) == {SEEN}


@pytest.mark.django_db
@pytest.mark.usefixtures("_signals_restored")
def test_the_poll_command_takes_another_variable_and_reports_counts(server, mailbox, monkeypatch):
    mailbox.add(_mail(subject="Heap overflow in libfoo"))
    monkeypatch.setenv("INTAKE_MAILBOX_SECRET", TEST_PASSWORD)
    out = io.StringIO()
    call_command(
        "mail",
        "poll",
        *("--host", "127.0.0.1", "--port", str(server.port), "--user", "intake", "--plain"),
        *("--password-env", "INTAKE_MAILBOX_SECRET"),
        stdout=out,
    )
    assert out.getvalue().strip() == "1 fetched, 1 accepted, 0 left"
    assert TEST_PASSWORD not in out.getvalue()
