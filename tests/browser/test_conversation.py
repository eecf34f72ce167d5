"""A whole case conversation in a real browser, one person per browser context.

The SIRT asks in the case room; the anonymous reporter answers from the status page, with
the status code as the only credential; the maintainer answers the notification mail by
e-mail, through the real SMTP listener of ``akrites mail serve``; a member told under
embargo accepts the terms from its inbox and posts to the members' audience. Each step is
a screenshot (test-artifacts/screenshots/conversation-*.png).
"""

from __future__ import annotations

import smtplib
from email import message_from_bytes, policy

import pytest

from akrites.access.tests.conftest import move, prenotify
from akrites.conversation.models import Message
from akrites.intake.models import Report
from akrites.intake.selectors import status_digest
from akrites.mail import server
from akrites.mail.tests.conftest import MTA, mail, passed
from akrites.notifications.tests.conftest import SmtpHandler, free_port, smtp
from akrites.notifications.tests.helpers import give_address, run_all
from tests.browser.conftest import shot, sign_in

__all__ = ["SmtpHandler", "smtp"]
pytestmark = [pytest.mark.mfa, pytest.mark.django_db(transaction=True)]

CODE = "journey-status-code-0123456789-abcdefghij"


def _post(page, audience_label: str, text: str) -> None:
    page.get_by_label("Audience").select_option(label=audience_label)
    page.get_by_label("Message (Markdown)").fill(text)
    page.get_by_role("button", name="Post message").click()
    page.wait_for_load_state()


def test_sirt_reporter_maintainer_and_member_talk_in_one_case(
    base_url, new_page, authenticator, settings, smtp, sirt, maintainer, member_observer,
    orgs, case,
):  # fmt: skip
    settings.AKRITES_SECURITY_EMAIL = "security@akrites.example"
    settings.AKRITES_MAIL_AUTHSERV_ID = MTA
    base = base_url
    case = move(case, sirt, maintainer, "notify_maintainers")
    report = case.reports.get()
    Report.objects.filter(pk=report.pk).update(reporter=None, status_digest=status_digest(CODE))
    give_address(maintainer, "mia@yamlkit.example")
    authenticator.enrol(sirt)

    # 1. The SIRT asks the reporter (and everyone on the case) in the case room.
    lead = new_page()
    sign_in(lead, base, sirt, authenticator)
    lead.goto(f"{base}/cases/{case.human_id}/")
    _post(lead, "Every party, including the reporter", "Which **version** did you test?")
    lead.get_by_text("Message 1 posted").wait_for()
    shot(lead, "conversation-sirt-asks")

    # 2. The anonymous reporter answers from the status page: the code is typed, never in a URL.
    finder = new_page()
    finder.goto(f"{base}/report/status/")
    finder.get_by_label("Status code").fill(CODE)
    finder.get_by_role("button", name="Show status").click()
    finder.get_by_text("Which version did you test?").wait_for()
    _post(finder, "Every party, including the reporter", "1.2.0 and main; PoC attached before.")
    finder.get_by_text("Your message #2 was posted").wait_for()
    assert CODE not in finder.url
    shot(finder, "conversation-reporter-status-link")

    # 3. The maintainer is mailed about message 2 and answers by e-mail through the listener.
    run_all()
    notices = [message_from_bytes(m.content, policy=policy.default) for m in smtp.messages]
    [notice] = [
        n for n in notices
        if n["To"] == "mia@yamlkit.example" and n["Reply-To"] and "#2" in n.get_content()
    ]  # fmt: skip
    assert "PoC attached" not in notice.as_string()  # no OpenPGP key: a link, no text
    port = free_port()
    listener = server.start(host="127.0.0.1", port=port)
    try:
        reply = mail(
            sender="mia@yamlkit.example",
            to=str(notice["Reply-To"]),
            subject=f"Re: {notice['Subject']}",
            body="Confirmed on 1.2.0; the fix is in review.\n\nOn Tue, Akrites wrote:\n> ...\n",
            message_id="<mia-journey@yamlkit.example>",
            auth=passed("yamlkit.example"),
            In_Reply_To=str(notice["Message-ID"]),
        )
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("mia@yamlkit.example", [str(notice["Reply-To"])], reply.as_bytes())
    finally:
        listener.stop()
        listener.akrites_handler.close()
    by_mail = Message.objects.get(via="email")
    assert by_mail.author == maintainer and by_mail.audience == "parties"

    # 4. A member is told under embargo, accepts the terms in its inbox, then posts.
    prenotify(case, maintainer, orgs["member"])
    member = new_page()
    sign_in(member, base, member_observer)
    member.goto(f"{base}/inbox/")
    member.get_by_role("button", name=f"Accept the terms of {case.human_id}").click()
    member.wait_for_load_state()
    member.goto(f"{base}/inbox/")
    shot(member, "conversation-member-inbox")
    member.get_by_role("link", name=f"Messages of {case.human_id}").click()
    member.wait_for_load_state()
    assert "Which version did you test?" not in member.content()  # parties, not members
    _post(member, "Every party and the pre-notified members", "Our 2.1 image ships the fix.")
    member.get_by_text("Message 4 posted").wait_for()
    shot(member, "conversation-member-posts")

    # The SIRT sees the whole thread, each message with its audience and channel.
    lead.goto(f"{base}/cases/{case.human_id}/")
    for text in ("Which", "1.2.0 and main", "Confirmed on 1.2.0", "Our 2.1 image"):
        lead.get_by_text(text, exact=False).first.wait_for()
    assert "via E-mail" in lead.content() and "via Status link" in lead.content()
    lead.locator("#conversation").scroll_into_view_if_needed()
    shot(lead, "conversation-case-room")
