"""Messages as embargoed content: encrypted at rest, every read audited, edits kept as
versions, unread state per party, Markdown rendered without script."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import connection

from akrites.audit.models import AuditEntry
from akrites.conversation.markdown import render
from akrites.conversation.models import Message, MessageVersion
from akrites.conversation.selectors import thread, unread_counts
from akrites.conversation.services import NewAttachment, mark_read, message_edit, message_post
from akrites.core.errors import InvalidInput, PermissionDenied
from akrites.core.outbox import notify  # noqa: F401  (the hook the service records into)

SECRET = "The overflow is in frame_decode() at offset 0x41"


def _raw(table: str, column: str) -> list[bytes]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table}")
        return [bytes(row[0]) if row[0] is not None else b"" for row in cur.fetchall()]


def test_body_attachment_name_and_bytes_are_encrypted_at_rest(notified, sirt):
    message_post(
        actor=sirt,
        case=notified,
        audience="maintainers",
        body=SECRET,
        attachments=[NewAttachment("poc-frame_decode.py", "text/x-python", SECRET.encode())],
    )
    needle = b"frame_decode"
    for table, column in [
        ("conversation_message", "body"),
        ("conversation_messageattachment", "name"),
        ("conversation_messageattachment", "content"),
    ]:
        values = _raw(table, column)
        assert values and all(needle not in v for v in values), (table, column)
    assert Message.objects.get().body == SECRET  # and it reads back


def test_each_thread_read_is_audited_without_content(notified, sirt, maintainer):
    message_post(actor=sirt, case=notified, audience="maintainers", body=SECRET)
    thread(viewer=maintainer, case=notified)
    entry = AuditEntry.objects.filter(action="read.messages", actor_id=maintainer.pk).get()
    assert entry.object_id == notified.human_id and SECRET not in str(entry.data)
    post = AuditEntry.objects.get(action="message.post")
    assert post.data == {"message": 1, "audience": "maintainers", "via": "web", "attachments": 0}


def test_an_edit_keeps_the_earlier_text_and_only_the_author_may_edit(notified, sirt, maintainer):
    m = message_post(actor=maintainer, case=notified, audience="maintainers", body="v1 text")
    with pytest.raises(PermissionDenied):
        message_edit(actor=sirt, message=m, body="rewritten by someone else")
    edited = message_edit(actor=maintainer, message=m, body="v2 text")
    assert edited.version == 2 and edited.body == "v2 text" and edited.edited_at is not None
    old = MessageVersion.objects.get(message=m)
    assert (old.version, old.body) == (1, "v1 text")
    assert AuditEntry.objects.filter(action="message.edit", actor_id=maintainer.pk).count() == 1


def test_unread_counts_are_per_party_and_clear_when_read(notified, sirt, maintainer, reporter):
    message_post(actor=sirt, case=notified, audience="maintainers", body="m1")
    message_post(actor=sirt, case=notified, audience="parties", body="m2")
    message_post(actor=sirt, case=notified, audience="sirt", body="internal")
    assert unread_counts(viewer=maintainer, cases=[notified]) == {notified.pk: 2}
    assert unread_counts(viewer=reporter, cases=[notified]) == {notified.pk: 1}
    assert unread_counts(viewer=sirt, cases=[notified]) == {}  # the author has read their own
    mark_read(actor=maintainer, case=notified, upto=3)
    assert unread_counts(viewer=maintainer, cases=[notified]) == {}
    assert unread_counts(viewer=reporter, cases=[notified]) == {notified.pk: 1}
    assert [s.unread for s in thread(viewer=reporter, case=notified).messages] == [True]


def test_the_same_mail_twice_makes_one_message(notified, maintainer):
    one = message_post(
        actor=maintainer, case=notified, audience="maintainers", body="x", source_id="<a@b>"
    )
    two = message_post(
        actor=maintainer, case=notified, audience="maintainers", body="x", source_id="<a@b>"
    )
    assert one.pk == two.pk and Message.objects.count() == 1


def test_messages_are_numbered_per_case_and_replies_name_one(notified, other_case, sirt):
    a = message_post(actor=sirt, case=notified, audience="sirt", body="a")
    b = message_post(actor=sirt, case=other_case, audience="sirt", body="b")
    c = message_post(actor=sirt, case=notified, audience="sirt", body="c", in_reply_to=1)
    assert (a.number, b.number, c.number) == (1, 1, 2) and c.in_reply_to_id == a.pk
    with pytest.raises(InvalidInput):
        message_post(actor=sirt, case=notified, audience="sirt", body="d", in_reply_to=99)


@pytest.mark.parametrize(
    "body", ["", "   ", "x" * 50_001, "nul\x00byte"], ids=["empty", "blank", "long", "nul"]
)
def test_bad_bodies_are_refused_and_nothing_is_stored(notified, sirt, body):
    with pytest.raises(InvalidInput):
        message_post(actor=sirt, case=notified, audience="sirt", body=body)
    assert (
        not Message.objects.exists()
        and not AuditEntry.objects.filter(action="message.post").exists()
    )


def test_an_oversized_attachment_is_refused(notified, sirt, settings):
    settings.AKRITES_MAX_ATTACHMENT_BYTES = 10
    with pytest.raises(InvalidInput):
        message_post(
            actor=sirt,
            case=notified,
            audience="sirt",
            body="x",
            attachments=[NewAttachment("big.bin", "", b"0123456789A")],
        )
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '<a href="https://e" onclick="alert(1)">x</a>',
        "![pixel](https://tracker.example/p.png)",
        "<iframe src=https://e></iframe>",
    ],
)
def test_markdown_renders_no_script_no_raw_html_no_remote_image(attack):
    tags = _tags(render(attack))
    assert {t for t, _ in tags} <= {"p", "a"}, tags
    for _, attrs in tags:
        assert {name for name, _ in attrs} <= {"href", "rel"}, attrs
        assert all(not (v or "").lower().startswith("javascript") for _, v in attrs)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.found


def test_markdown_keeps_what_people_write():
    html = render("**bold** `code` [site](https://example.org)\n\n```\nint x;\n```")
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html and "<pre>" in html
    assert 'href="https://example.org"' in html and "noopener" in html
