"""A mail to security@ becomes a report, once; a receipt goes only to an authenticated
sender; a reply through a reply address posts as its user, and every forgery is refused."""

from __future__ import annotations

from datetime import timedelta
from email.encoders import encode_7or8bit
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from typing import Any

import pytest

from akrites.access.tests.conftest import move
from akrites.audit.models import AuditEntry
from akrites.conversation.models import Message, ReplyToken
from akrites.conversation.replies import message_id_for, reply_address_issue
from akrites.conversation.services import message_post
from akrites.core import clock
from akrites.intake.models import Report
from akrites.mail.inbound import mail_receive
from akrites.mail.models import InboundMail
from akrites.mail.tests.conftest import MTA, SECURITY, mail

pytestmark = pytest.mark.django_db


def _send(msg: EmailMessage, to: str = SECURITY) -> Any:
    return mail_receive(msg.as_bytes(), recipients=[to])


def test_a_mail_becomes_a_report_with_its_attachment_and_once_only(smtp):
    msg = mail(files=(("poc.rs", "text/plain", b"fn main() {}"),))
    first = _send(msg)
    again = _send(msg)
    assert (first.code, again.code) == (250, 250) and first.report_id
    report = Report.objects.get()
    assert report.channel == "email" and report.contact == "ada@finder.example"
    assert report.reporter is None and report.status_digest
    assert report.title.startswith("Heap overflow") and report.purl == "pkg:cargo/rivet"
    assert [(a.name, bytes(a.content)) for a in report.attachments.all()] == [
        ("poc.rs", b"fn main() {}")
    ]
    # One receipt, to the authenticated sender: the report id and a status code, no text.
    [receipt] = smtp.messages
    text = receipt.content.decode()
    assert receipt.rcpt_tos == ["ada@finder.example"] and report.public_id in text
    assert "frame_decode" not in text and "Auto-Submitted: auto-replied" in text


@pytest.mark.parametrize(
    "auth",
    [
        None,  # no Authentication-Results at all
        "mx.attacker.example; dkim=pass header.d=finder.example",  # not our MTA's header
        f"{MTA}; dkim=fail header.d=finder.example; spf=fail smtp.mailfrom=finder.example",
        f"{MTA}; dkim=pass header.d=other.example",  # signed, but not by the From domain
    ],
    ids=["none", "foreign-authserv", "failed", "unaligned"],
)
def test_no_receipt_to_a_sender_that_did_not_authenticate(smtp, auth):
    """No backscatter: a forged From gets nothing; the report is recorded all the same."""
    result = _send(mail(auth=auth, message_id=f"<{auth!s:.10}@x>"))
    assert result.code == 250 and Report.objects.count() == 1
    assert not smtp.messages and not InboundMail.objects.get().authenticated


def test_receipts_are_limited_per_sender(smtp, settings):
    settings.AKRITES_MAIL_RECEIPTS_PER_HOUR = 2
    for i in range(4):
        _send(mail(message_id=f"<r{i}@finder.example>", subject=f"Bug {i} in pkg:npm/x"))
    assert Report.objects.count() == 4 and len(smtp.messages) == 2


def test_a_pgp_mime_mail_is_decrypted_with_the_intake_key(smtp, platform_key, encrypt_to_platform):
    inner = mail(body="The secret is in pkg:pypi/yamlkit load().", subject="Inner subject")
    msg = MIMEMultipart("encrypted", protocol="application/pgp-encrypted")
    msg["From"], msg["To"], msg["Subject"] = "ada@finder.example", SECURITY, "..."
    msg["Message-ID"] = "<pgp@finder.example>"
    msg["Authentication-Results"] = str(inner["Authentication-Results"])
    msg.attach(MIMEApplication(b"Version: 1\n", "pgp-encrypted", _encoder=encode_7or8bit))
    armored = encrypt_to_platform(inner.as_bytes())
    msg.attach(MIMEApplication(armored.encode(), "octet-stream", _encoder=encode_7or8bit))
    assert mail_receive(msg.as_bytes(), recipients=[SECURITY]).code == 250
    report = Report.objects.get()
    assert report.encrypted_submission and "pkg:pypi/yamlkit load()" in report.body


def test_an_inline_pgp_body_is_decrypted(smtp, platform_key, encrypt_to_platform):
    armored = encrypt_to_platform(b"Overflow in pkg:cargo/rivet decode, offset 0x41\n")
    assert _send(mail(body=armored, subject="Encrypted report")).code == 250
    report = Report.objects.get()
    assert report.encrypted_submission and "offset 0x41" in report.body


def test_mail_for_another_mailbox_is_refused_in_the_dialogue():
    result = mail_receive(
        mail(to="root@akrites.example").as_bytes(), recipients=["root@akrites.example"]
    )
    assert result.code == 550 and not Report.objects.exists()


# --- replies ------------------------------------------------------------------------------


@pytest.fixture
def asked(case, sirt, maintainer):
    case = move(case, sirt, maintainer, "notify_maintainers")
    maintainer.email, maintainer.email_verified = "mia@yamlkit.example", True
    maintainer.save()
    question = message_post(actor=sirt, case=case, audience="maintainers", body="Patch ready?")
    address = reply_address_issue(
        user_id=maintainer.pk, address=maintainer.email, case=case, message=question
    )
    return case, question, address


def _reply(address: str, **over: Any) -> EmailMessage:
    fields: dict[str, Any] = {
        "sender": "mia@yamlkit.example",
        "to": address,
        "subject": "Re: [Akrites] Update",
        "body": "Yes, see the attached diff.\n\nOn Monday, Akrites wrote:\n> Patch ready?\n",
        "message_id": "<reply1@yamlkit.example>",
    }
    fields.update(over)
    return mail(**fields)


def test_a_reply_posts_as_the_recipient_to_the_same_audience_once(asked, maintainer):
    case, question, address = asked
    msg = _reply(address, In_Reply_To=message_id_for(case.human_id, question.number))
    first = mail_receive(msg.as_bytes(), recipients=[address])
    again = mail_receive(msg.as_bytes(), recipients=[address])
    assert (first.code, again.code) == (250, 250)
    [posted] = Message.objects.filter(via="email")
    assert posted.author == maintainer and posted.audience == "maintainers"
    assert posted.body == "Yes, see the attached diff." and posted.in_reply_to == question
    assert Report.objects.count() == 1  # the case's report only: a reply is no report
    # The replay posted nothing and is audited once, however often it comes back.
    mail_receive(msg.as_bytes(), recipients=[address])
    assert AuditEntry.objects.filter(action="mail.replayed").count() == 1
    assert InboundMail.objects.get().replays == 2


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("forged", "forged_token"),
        ("other-sender", "wrong_sender"),
        ("expired", "expired"),
        ("revoked", "revoked"),
        ("unauthenticated", "unauthenticated_sender"),
        ("lost-access", "not_allowed"),
    ],
)
def test_a_bad_reply_is_refused_audited_and_posts_nothing(asked, maintainer, change, reason):
    _, _, address = asked
    recipient, sender, auth = address, "mia@yamlkit.example", ""
    if change == "forged":
        recipient = "security+" + "a" * 39 + "@akrites.example"
    elif change == "other-sender":
        sender = "eve@evil.example"
    elif change == "expired":
        clock.advance(timedelta(days=61))
    elif change == "revoked":
        ReplyToken.objects.update(revoked_at=clock.now())
    elif change == "unauthenticated":
        auth = None
    elif change == "lost-access":
        maintainer.memberships.all().delete()
    msg = _reply(recipient, sender=sender, auth=auth)
    result = mail_receive(msg.as_bytes(), recipients=[recipient])
    assert result.code == 550 and not Message.objects.filter(via="email").exists()
    entry = AuditEntry.objects.get(action="mail.refused")
    assert entry.data["reason"] == reason


def test_a_malformed_plus_address_is_refused_as_forged(asked):
    recipient = "security+not-a-token@akrites.example"
    result = mail_receive(_reply(recipient).as_bytes(), recipients=[recipient])
    assert result.code == 550
    assert AuditEntry.objects.get(action="mail.refused").data["reason"] == "forged_token"


def test_a_mail_too_big_is_refused_and_recorded(settings):
    settings.AKRITES_MAIL_MAX_BYTES = 2000
    big = mail(body="x" * 5000, message_id="<big@finder.example>")
    result = mail_receive(big.as_bytes(), recipients=[SECURITY])
    assert result.code == 552 and not Report.objects.exists()
    assert InboundMail.objects.get().reason == "too_big"
    assert AuditEntry.objects.get(action="mail.refused").data["reason"] == "too_big"


def test_without_an_envelope_the_cc_header_counts(smtp):
    msg = mail(to="someone@example.org", Cc=SECURITY, message_id="<cc@finder.example>")
    assert mail_receive(msg.as_bytes(), recipients=[]).code == 250
    assert Report.objects.count() == 1


def test_a_flooding_sender_is_told_to_retry_later_and_loses_nothing(settings):
    settings.AKRITES_MAIL_PER_SENDER = 2
    codes = [
        _send(mail(message_id=f"<f{i}@finder.example>", subject=f"Bug {i} in pkg:npm/x")).code
        for i in range(3)
    ]
    assert codes == [250, 250, 451] and Report.objects.count() == 2
    assert InboundMail.objects.count() == 2  # the 451 is not kept: the MTA sends it again


@pytest.mark.parametrize("auth", ["", None], ids=["authenticated", "unauthenticated"])
def test_only_an_authenticated_mail_from_a_verified_address_is_the_account_s_report(
    smtp, reporter, auth
):
    from akrites.notifications.tests.helpers import give_address

    give_address(reporter, "ada@finder.example")
    _send(mail(auth=auth, message_id=f"<known-{auth is None}@finder.example>"))
    report = Report.objects.get()
    if auth is None:  # a forged From: an anonymous report, never the account's
        assert report.reporter is None and report.contact == "ada@finder.example"
    else:
        assert report.reporter == reporter and report.contact == "" and not report.status_digest
