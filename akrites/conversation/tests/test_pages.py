"""The conversation in the pages: the case room, the conversation page, the anonymous
reporter's status page (the secret code is the only credential), editing."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from akrites.conversation.models import Message
from akrites.conversation.services import message_post
from akrites.intake.models import Report
from akrites.intake.selectors import status_digest

CODE = "s3cret-status-code-for-the-test-0123456789"


def _anonymous(case: Any) -> Report:
    report: Report = case.reports.get()
    Report.objects.filter(pk=report.pk).update(reporter=None, status_digest=status_digest(CODE))
    return report


def test_sirt_asks_in_the_room_and_the_reporter_sees_it(notified, sirt, reporter, client):
    client.force_login(sirt)
    url = f"/cases/{notified.human_id}/conversation/"
    posted = client.post(url, {"audience": "parties", "body": "Which **version**?", "from": "room"})
    assert posted.status_code == 302 and posted["Location"].endswith(
        f"/cases/{notified.human_id}/#m-1"
    )
    room = client.get(f"/cases/{notified.human_id}/").content.decode()
    assert "Which <strong>version</strong>?" in room and 'id="m-1"' in room
    other = Client()
    other.force_login(reporter)
    page = other.get(url).content.decode()
    assert "Which <strong>version</strong>?" in page
    # The SIRT's own audience is not offered to the reporter, and is refused if forced.
    assert 'value="sirt"' not in page and 'value="maintainers"' not in page
    refused = other.post(url, {"audience": "maintainers", "body": "sneak"})
    assert refused.status_code in {403, 404} and Message.objects.count() == 1


def test_the_room_marks_the_thread_read(notified, sirt, maintainer, client):
    message_post(actor=sirt, case=notified, audience="maintainers", body="news")
    client.force_login(maintainer)
    first = client.get(f"/cases/{notified.human_id}/").content.decode()
    assert "1 unread" in first
    again = client.get(f"/cases/{notified.human_id}/").content.decode()
    assert "1 unread" not in again


def test_an_invalid_post_answers_422_with_the_text_kept(notified, sirt, client):
    client.force_login(sirt)
    got = client.post(
        f"/cases/{notified.human_id}/conversation/", {"audience": "nope", "body": "keep me"}
    )
    assert got.status_code == 422 and "keep me" in got.content.decode()
    assert not Message.objects.exists()


def test_outsiders_get_404_on_every_conversation_page(notified, sirt, outsider, client):
    m = message_post(actor=sirt, case=notified, audience="parties", body="secret question")
    client.force_login(outsider)
    base = f"/cases/{notified.human_id}/conversation/"
    for got in (
        client.get(base),
        client.post(base, {"audience": "parties", "body": "x"}),
        client.get(f"{base}{m.number}/edit/"),
        client.get(f"{base}attachments/1/"),
    ):
        assert got.status_code == 404 and b"secret question" not in got.content
    assert Message.objects.count() == 1


def test_the_anonymous_reporter_answers_from_the_status_page(notified, sirt):
    _anonymous(notified)
    message_post(actor=sirt, case=notified, audience="parties", body="Can you send the PoC?")
    message_post(actor=sirt, case=notified, audience="maintainers", body="Maintainers only")
    client = Client()
    page = client.post("/report/status/", {"code": CODE}).content.decode()
    assert "Can you send the PoC?" in page and "Maintainers only" not in page
    answered = client.post(
        "/report/status/", {"code": CODE, "audience": "parties", "body": "Attached below."}
    )
    assert answered.status_code == 200 and "Your message #3 was posted" in answered.content.decode()
    message = Message.objects.get(number=3)
    assert message.via == "link" and message.author is None
    assert message.author_label.startswith("link:") and message.audience == "parties"
    assert "no-store" in answered["Cache-Control"]


def test_a_status_code_cannot_post_beyond_the_reporter_audiences(notified, sirt):
    _anonymous(notified)
    client = Client()
    for audience in ("maintainers", "sirt"):
        got = client.post("/report/status/", {"code": CODE, "audience": audience, "body": "x"})
        assert got.status_code == 422
    wrong = client.post("/report/status/", {"code": CODE + "x", "audience": "parties", "body": "x"})
    assert wrong.status_code == 404
    assert not Message.objects.exists()


def test_edit_page_keeps_versions(notified, maintainer, client):
    m = message_post(actor=maintainer, case=notified, audience="maintainers", body="first")
    client.force_login(maintainer)
    url = f"/cases/{notified.human_id}/conversation/{m.number}/edit/"
    assert client.post(url, {"body": "second"}).status_code == 302
    page = client.get(url).content.decode()
    assert "second" in page and re.search(r"<pre>first</pre>", page)


def test_the_inbox_counts_unread_messages_and_links_the_conversation(
    observed, sirt, member_observer, client
):
    message_post(actor=sirt, case=observed, audience="members", body="Fix lands Tuesday.")
    message_post(actor=sirt, case=observed, audience="maintainers", body="not for members")
    client.force_login(member_observer)
    page = client.get("/inbox/").content.decode()
    assert "1 unread" in page and f"/cases/{observed.human_id}/conversation/" in page
    thread = client.get(f"/cases/{observed.human_id}/conversation/").content.decode()
    assert "Fix lands Tuesday." in thread and "not for members" not in thread
    posted = client.post(
        f"/cases/{observed.human_id}/conversation/",
        {"audience": "members", "body": "We will ship it in our 2.1 image."},
    )
    assert posted.status_code == 302
    after = client.get("/inbox/").content.decode()  # read, and its own post is no news
    assert "1 unread" not in after
    assert f'>Messages<span class="visually-hidden"> of {observed.human_id}' in after
