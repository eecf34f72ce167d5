"""Posting and editing case messages.

Every write checks the policy first (``message.post_<audience>``), runs in one transaction
with its audit entry and its outbox event (``message.<audience>``: the notifications app
tells the audience after commit, with a link and never the text), and numbers the message
within its case under a lock on the case row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from akrites.access.policy import require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import actor_fields, audit_append
from akrites.cases.models import Case
from akrites.conversation.audiences import ORDER, Audience, post_action, read_action
from akrites.conversation.models import Message, MessageAttachment, MessageVersion, ReadMark, Via
from akrites.core.actors import Actor, ReportLink
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput
from akrites.core.outbox import notify

MAX_BODY = 50_000
MAX_ATTACHMENTS = 10


@dataclass(frozen=True)
class NewAttachment:
    name: str
    media_type: str
    content: bytes


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise InvalidInput("body", "write a message")
    if len(body) > MAX_BODY:
        raise InvalidInput("body", f"at most {MAX_BODY} characters")
    if "\x00" in body:
        raise InvalidInput("body", "contains a NUL character")
    return body


def _clean_attachments(items: Sequence[NewAttachment]) -> list[NewAttachment]:
    if len(items) > MAX_ATTACHMENTS:
        raise InvalidInput("attachments", f"at most {MAX_ATTACHMENTS} files")
    limit = settings.AKRITES_MAX_ATTACHMENT_BYTES
    cleaned = []
    for item in items:
        name = (item.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
        if not name or name in {".", ".."}:
            raise InvalidInput("attachments", "every file needs a name")
        if len(item.content) > limit:
            raise InvalidInput("attachments", f"{name}: larger than {limit} bytes")
        media_type = (item.media_type or "application/octet-stream")[:100]
        cleaned.append(NewAttachment(name=name, media_type=media_type, content=item.content))
    return cleaned


def message_post(
    *,
    actor: Actor,
    case: Case,
    audience: str,
    body: str,
    attachments: Sequence[NewAttachment] = (),
    via: str = Via.WEB,
    in_reply_to: int | None = None,
    source_id: str = "",
) -> Message:
    """Post a message to ``audience`` on ``case`` (a number of the case's messages it answers
    may be given). ``source_id`` (a mail's Message-ID) makes a repeated delivery a no-op that
    returns the first message."""
    if audience not in ORDER:
        raise InvalidInput("audience", f"one of {', '.join(ORDER)}")
    require(actor, post_action(audience), case)
    text = _clean_body(body)
    files = _clean_attachments(attachments)
    if via not in Via.values:
        raise InvalidInput("via", "unknown channel")
    source_id = source_id.strip()[:300]
    if source_id:
        first = Message.objects.filter(case=case, source_id=source_id).first()
        if first is not None:
            return first
    at = now()
    try:
        with transaction.atomic():
            # The case row's lock orders concurrent posts (PostgreSQL); SQLite writers are
            # serialised by its immediate transactions.
            Case.objects.select_for_update().filter(pk=case.pk).exists()
            parent = None
            if in_reply_to is not None:
                parent = Message.objects.filter(case=case, number=in_reply_to).first()
                if parent is None:
                    raise InvalidInput("in_reply_to", "no such message in this case")
            last = Message.objects.filter(case=case).aggregate(n=Max("number"))["n"] or 0
            _, label = actor_fields(actor)
            message = Message.objects.create(
                case=case,
                number=last + 1,
                audience=audience,
                author=user_or_none(actor),
                author_label=label,
                body=text,
                via=via,
                in_reply_to=parent,
                source_id=source_id,
                created_at=at,
                updated_at=at,
            )
            MessageAttachment.objects.bulk_create(
                MessageAttachment(
                    message=message,
                    name=f.name,
                    media_type=f.media_type,
                    size=len(f.content),
                    content=f.content,
                    created_at=at,
                    updated_at=at,
                )
                for f in files
            )
            audit_append(
                actor=actor,
                action="message.post",
                object_type="case",
                object_id=case.human_id,
                data={
                    "message": message.number,
                    "audience": audience,
                    "via": via,
                    "attachments": len(files),
                },
            )
            told: dict[str, str | int] = {"message": message.number, "audience": audience}
            if isinstance(actor, ReportLink):  # their own contact address is not told of it
                told["by_report"] = actor.report_id
            notify(f"message.{audience}", case_id=case.pk, actor=actor, data=told)
            user = user_or_none(actor)
            if user is not None:
                _mark(case=case, user_id=user.pk, number=message.number, at=at)
    except IntegrityError:
        if source_id:  # the same mail, delivered twice at once: the other delivery won
            first = Message.objects.filter(case=case, source_id=source_id).first()
            if first is not None:
                return first
        raise Conflict("another message was posted at the same moment; send it again") from None
    return message


def message_edit(*, actor: Actor, message: Message, body: str) -> Message:
    """Replace a message's text; the author alone may, and the earlier text is kept."""
    case = message.case
    require(actor, read_action(message.audience), case)  # NotFound for whoever may not read it
    require(actor, "message.edit", message)
    text = _clean_body(body)
    if text == message.body:
        return message
    at = now()
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        MessageVersion.objects.create(
            message=locked,
            version=locked.version,
            body=locked.body,
            written_at=locked.edited_at or locked.created_at,
        )
        locked.body = text
        locked.version += 1
        locked.edited_at = at
        locked.updated_at = at
        locked.save(update_fields=["body", "version", "edited_at", "updated_at"])
        audit_append(
            actor=actor,
            action="message.edit",
            object_type="case",
            object_id=case.human_id,
            data={"message": locked.number, "version": locked.version},
        )
    return locked


def _mark(*, case: Case, user_id: int, number: int, at: datetime) -> None:
    mark, created = ReadMark.objects.get_or_create(
        case=case, user_id=user_id, defaults={"last_number": number, "at": at}
    )
    if not created and mark.last_number < number:
        ReadMark.objects.filter(pk=mark.pk, last_number__lt=number).update(
            last_number=number, at=at
        )


def mark_read(*, actor: Actor, case: Case, upto: int) -> None:
    """Note that ``actor`` has read ``case``'s conversation up to message ``upto``. NotFound
    for whoever reads no audience (the widest one is read by every reader: they nest)."""
    require(actor, read_action(Audience.MEMBERS), case)
    user = user_or_none(actor)
    if user is None or upto <= 0:
        return
    with transaction.atomic():
        _mark(case=case, user_id=user.pk, number=upto, at=now())
