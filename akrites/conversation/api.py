"""The case conversation by API: ``/api/v1/cases/{id}/messages``.

The same services and policy as the case room; a token needs the ``converse`` scope to post
(``read`` reads). Bodies are lenient so that an outsider gets the same 404 whatever it sends.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from akrites.cases.reads import record_read
from akrites.cases.selectors import case_get
from akrites.conversation import selectors, services
from akrites.conversation.downloads import download
from akrites.conversation.markdown import render
from akrites.conversation.models import Message, Via
from akrites.core.errors import InvalidInput

router = Router(tags=["conversation"])


class AttachmentIn(Schema):
    name: str = ""
    media_type: str = "application/octet-stream"
    content_base64: str = ""


# Lenient on purpose (any JSON value): the values are checked by the service after the
# case was found visible, so an outsider gets 404 whatever it sends.
class MessageIn(Schema):
    audience: Any = ""
    body: Any = ""
    in_reply_to: Any = None
    attachments: Any = []


class EditIn(Schema):
    body: Any = ""


class ReadIn(Schema):
    upto: Any = 0


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(field, "a string")
    return value


def _number(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, "a message number")
    return value


def _attachments(value: Any) -> list[services.NewAttachment]:
    if not isinstance(value, list):
        raise InvalidInput("attachments", "a list")
    items = []
    for raw in value:
        if not isinstance(raw, dict):
            raise InvalidInput("attachments", "each a {name, media_type, content_base64}")
        try:
            item = AttachmentIn(**raw)
        except ValueError:
            raise InvalidInput("attachments", "each a {name, media_type, content_base64}") from None
        items.append(_decode(item))
    return items


class AttachmentOut(Schema):
    id: int
    name: str
    media_type: str
    size: int


class MessageOut(Schema):
    number: int
    audience: str
    author: str
    body: str
    html: str
    version: int
    created_at: datetime
    edited_at: datetime | None
    via: str
    in_reply_to: int | None
    unread: bool
    attachments: list[AttachmentOut]


class ThreadOut(Schema):
    case: str
    unread: int
    may_post_to: list[str]
    messages: list[MessageOut]


class VersionOut(Schema):
    version: int
    body: str
    written_at: datetime


def _out(m: Message, html: str, unread: bool) -> MessageOut:
    return MessageOut(
        number=m.number,
        audience=m.audience,
        author=m.author_label,
        body=m.body,
        html=html,
        version=m.version,
        created_at=m.created_at,
        edited_at=m.edited_at,
        via=m.via,
        in_reply_to=m.in_reply_to.number if m.in_reply_to else None,
        unread=unread,
        attachments=[
            AttachmentOut(id=a.pk, name=a.name, media_type=a.media_type, size=a.size)
            for a in m.attachments.all()
        ],
    )


def _decode(item: AttachmentIn) -> services.NewAttachment:
    try:
        content = base64.b64decode(item.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("attachments", f"{item.name or 'a file'}: not base64") from None
    return services.NewAttachment(name=item.name, media_type=item.media_type, content=content)


@router.get("/cases/{case_id}/messages", response=ThreadOut)
def list_messages(request: HttpRequest, case_id: str) -> ThreadOut:
    case = case_get(viewer=request.user, human_id=case_id)
    t = selectors.thread(viewer=request.user, case=case)
    return ThreadOut(
        case=case.human_id,
        unread=t.unread,
        may_post_to=[a for a, _ in t.audiences],
        messages=[_out(s.message, s.html, s.unread) for s in t.messages],
    )


@router.post("/cases/{case_id}/messages", response={201: MessageOut})
def post_message(request: HttpRequest, case_id: str, payload: MessageIn) -> Status[MessageOut]:
    case = case_get(viewer=request.user, human_id=case_id)
    message = services.message_post(
        actor=request.user,
        case=case,
        audience=_text(payload.audience, "audience"),
        body=_text(payload.body, "body"),
        attachments=_attachments(payload.attachments),
        via=Via.API,
        in_reply_to=_number(payload.in_reply_to, "in_reply_to"),
    )
    return Status(201, _out(message, render(message.body), False))


# Fixed paths before /messages/{number}: the router tries routes in this order.
@router.post("/cases/{case_id}/messages/read", response={204: None})
def read_messages(request: HttpRequest, case_id: str, payload: ReadIn) -> Status[None]:
    case = case_get(viewer=request.user, human_id=case_id)
    services.mark_read(actor=request.user, case=case, upto=_number(payload.upto, "upto") or 0)
    return Status(204, None)


@router.get("/cases/{case_id}/messages/attachments/{attachment_id}")
def message_attachment(request: HttpRequest, case_id: str, attachment_id: int) -> HttpResponse:
    case = case_get(viewer=request.user, human_id=case_id)
    item = selectors.attachment_get(viewer=request.user, case=case, attachment_id=attachment_id)
    return download(item)


@router.patch("/cases/{case_id}/messages/{number}", response=MessageOut)
def edit_message(request: HttpRequest, case_id: str, number: int, payload: EditIn) -> MessageOut:
    case = case_get(viewer=request.user, human_id=case_id)
    message = selectors.message_get(viewer=request.user, case=case, number=number)
    message = services.message_edit(
        actor=request.user, message=message, body=_text(payload.body, "body")
    )
    return _out(message, render(message.body), False)


@router.get("/cases/{case_id}/messages/{number}/versions", response=list[VersionOut])
def message_versions(request: HttpRequest, case_id: str, number: int) -> list[VersionOut]:
    case = case_get(viewer=request.user, human_id=case_id)
    message = selectors.message_get(viewer=request.user, case=case, number=number)
    record_read(viewer=request.user, case=case, what="message_versions", ref=str(number))
    return [
        VersionOut(version=v.version, body=v.body, written_at=v.written_at)
        for v in message.versions.all()
    ]
