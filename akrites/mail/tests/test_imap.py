"""The IMAP poller against a local IMAP4rev1 server (``imap_double``, itself checked in
``test_imap_double``)."""

from __future__ import annotations

import imaplib
import io
import signal
import ssl
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command

from akrites.intake.models import Channel, Report
from akrites.mail import imap
from akrites.mail.imap import ImapSource, Polled, poll_once
from akrites.mail.inbound import Received, mail_receive
from akrites.mail.models import InboundMail
from akrites.mail.tests.imap_double import Mailbox, imap_server
from akrites.mail.tests.imap_setup import SEEN, _mail, _source
from conftest import TEST_PASSWORD

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
