"""``akrites mail serve`` over real SMTP and LMTP on loopback: smtplib talks to the
listener, which refuses foreign recipients in the dialogue and answers with the code
``mail_receive`` chose. The whole loop: a message's notification mail, its Reply-To, a
reply sent back through the listener, the reply in the case conversation."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest

from akrites.access.tests.conftest import move
from akrites.conversation.models import Message
from akrites.conversation.services import message_post
from akrites.intake.models import Report
from akrites.mail import server
from akrites.mail.tests.conftest import SECURITY, free_port, mail, passed
from akrites.notifications.models import Event
from akrites.notifications.tests.helpers import run_all

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=[False, True], ids=["smtp", "lmtp"])
def listener(request: Any) -> Iterator[tuple[int, bool]]:
    port = free_port()
    controller = server.start(host="127.0.0.1", port=port, lmtp=request.param)
    try:
        yield port, request.param
    finally:
        controller.stop()
        controller.akrites_handler.close()


def _client(port: int, lmtp: bool) -> smtplib.SMTP:
    # smtplib.LMTP greets with LHLO (RFC 2033) where SMTP says EHLO.
    return smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port)


def test_a_report_arrives_through_the_listener(listener, smtp):
    port, lmtp = listener
    msg = mail(message_id="<srv1@finder.example>")
    with _client(port, lmtp) as client:
        refused = client.sendmail("ada@finder.example", [SECURITY], msg.as_bytes())
    assert refused == {} and Report.objects.get().channel == "email"


def test_a_foreign_recipient_is_refused_in_the_dialogue(listener):
    port, lmtp = listener
    with _client(port, lmtp) as client, pytest.raises(smtplib.SMTPRecipientsRefused):
        client.sendmail("ada@finder.example", ["root@akrites.example"], mail().as_bytes())
    assert not Report.objects.exists()


def test_the_maintainer_replies_by_mail_into_the_conversation(
    listener, smtp, case, sirt, maintainer
):
    port, lmtp = listener
    case = move(case, sirt, maintainer, "notify_maintainers")
    from akrites.accounts.addresses import email_mark_verified
    from akrites.core.actors import SystemActor

    email_mark_verified(actor=SystemActor("test"), user=maintainer, address="mia@yamlkit.example")
    message_post(actor=sirt, case=case, audience="maintainers", body="Is the patch ready?")
    run_all()
    notices = [message_from_bytes(m.content, policy=policy.default) for m in smtp.messages]
    [notice] = [n for n in notices if n["To"] == "mia@yamlkit.example" and n["Reply-To"]]
    assert "Is the patch ready?" not in notice.as_string()  # no key: a link only
    reply = mail(
        sender="mia@yamlkit.example",
        to=str(notice["Reply-To"]),
        subject=f"Re: {notice['Subject']}",
        body="Yes: tagged 1.4.2.\n\nOn Tue, Akrites wrote:\n> Is the patch ready?\n",
        message_id="<mia-1@yamlkit.example>",
        auth=passed("yamlkit.example"),
        In_Reply_To=str(notice["Message-ID"]),
    )
    with _client(port, lmtp) as client:
        client.sendmail("mia@yamlkit.example", [str(notice["Reply-To"])], reply.as_bytes())
    posted = Message.objects.get(via="email")
    assert posted.author == maintainer and posted.body == "Yes: tagged 1.4.2."
    assert posted.audience == "maintainers" and posted.in_reply_to.number == 1
    assert Event.objects.filter(kind="message.maintainers").count() == 2
