"""Reading a case conversation: the messages a viewer may read, unread counts, attachments.

A message's body is embargoed content: each read of a thread is audited once (the message
numbers shown), like report text, until the case is published (``cases.reads``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from akrites.access.policy import allowed, allowed_cases
from akrites.accounts.actors import user_or_none
from akrites.cases.models import Case
from akrites.cases.reads import record_read
from akrites.conversation.audiences import ORDER, Audience, postable, read_action, readable
from akrites.conversation.markdown import render
from akrites.conversation.models import Message, MessageAttachment, ReadMark
from akrites.core.actors import Actor, ReportLink
from akrites.core.errors import NotFound

LABELS = dict(Audience.choices)


@dataclass(frozen=True)
class ShownMessage:
    message: Message
    html: str
    unread: bool

    @property
    def audience_label(self) -> str:
        return LABELS.get(self.message.audience, self.message.audience)


@dataclass(frozen=True)
class Thread:
    case: Case
    messages: list[ShownMessage]
    # (value, label) of the audiences the viewer may post to, narrowest first.
    audiences: list[tuple[str, str]] = field(default_factory=list)
    unread: int = 0

    @property
    def last_number(self) -> int:
        return self.messages[-1].message.number if self.messages else 0


def case_for_link(link: ReportLink) -> Case:
    """The case of the report behind a status link (NotFound while it has none)."""
    case = (
        Case.objects.select_related("project").filter(pk=link.case_id).first()
        if link.case_id is not None
        else None
    )
    if case is None:
        raise NotFound()
    return case


def _last_read(viewer: Actor, case: Case) -> int | None:
    user = user_or_none(viewer)
    if user is None:
        return None
    mark = ReadMark.objects.filter(case=case, user=user).values_list("last_number", flat=True)
    return next(iter(mark), 0)


def thread(*, viewer: Actor, case: Case) -> Thread:
    """The messages of ``case`` the viewer may read, oldest first, with the audiences they
    may answer to. Refused (NotFound) for a viewer who may read no audience."""
    audiences = readable(viewer, case)
    if not audiences:
        raise NotFound()
    rows = list(
        Message.objects.filter(case=case, audience__in=audiences)
        .select_related("in_reply_to")
        .prefetch_related("attachments")
        .order_by("number")
    )
    seen = _last_read(viewer, case)
    shown = [
        ShownMessage(message=m, html=render(m.body), unread=seen is not None and m.number > seen)
        for m in rows
    ]
    if rows:
        record_read(
            viewer=viewer,
            case=case,
            what="messages",
            ref=",".join(str(m.number) for m in rows)[:500],
        )
    return Thread(
        case=case,
        messages=shown,
        audiences=[(a, LABELS[a]) for a in postable(viewer, case)],
        unread=sum(1 for s in shown if s.unread),
    )


def message_get(*, viewer: Actor, case: Case, number: int) -> Message:
    message = Message.objects.filter(case=case, number=number).first()
    if message is None or not allowed(viewer, read_action(message.audience), case):
        raise NotFound()
    return message


def attachment_get(*, viewer: Actor, case: Case, attachment_id: int) -> MessageAttachment:
    """One attachment of a message the viewer may read (the read is audited)."""
    item = (
        MessageAttachment.objects.select_related("message")
        .filter(pk=attachment_id, message__case=case)
        .first()
    )
    if item is None or not allowed(viewer, read_action(item.message.audience), case):
        raise NotFound()
    record_read(viewer=viewer, case=case, what="message_attachment", ref=str(item.pk))
    return item


def unread_counts(*, viewer: Actor, cases: Sequence[Case]) -> dict[int, int]:
    """Per case id, how many messages the viewer may read and has not read yet (a fixed
    number of queries for the whole list; cases without unread messages are absent)."""
    user = user_or_none(viewer)
    if user is None or not cases:
        return {}
    condition = Q()
    for audience in ORDER:
        ids = allowed_cases(viewer, read_action(audience), cases)
        if ids:
            condition |= Q(case_id__in=ids, audience=audience)
    if not condition:
        return {}
    mark = ReadMark.objects.filter(case=OuterRef("case_id"), user=user).values("last_number")
    rows = (
        Message.objects.filter(condition)
        .annotate(seen=Coalesce(Subquery(mark[:1]), Value(0), output_field=IntegerField()))
        .filter(number__gt=F("seen"))
        .values("case_id")
        .annotate(n=Count("id"))
    )
    return {row["case_id"]: row["n"] for row in rows}
