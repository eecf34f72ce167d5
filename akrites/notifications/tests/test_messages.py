"""A case message tells exactly its audience (never its author), and the mail carries no text
unless it is encrypted to the recipient."""

from __future__ import annotations

import pytest

from akrites.access.tests.conftest import move, prenotify
from akrites.conversation.services import message_post
from akrites.notifications.models import Delivery, Event
from akrites.notifications.services.dispatch import events_dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def observed(case, sirt, maintainer, member_observer, orgs):
    case = move(case, sirt, maintainer, "notify_maintainers")
    prenotify(case, maintainer, orgs["member"], accept_by=member_observer)
    return case


def _told(kind: str) -> set[str]:
    events = list(Event.objects.filter(kind=kind).values_list("pk", flat=True))
    events_dispatch(event_ids=events)
    return set(
        Delivery.objects.filter(kind=kind, user__isnull=False).values_list(
            "user__username", flat=True
        )
    )


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("sirt", {"coordinator"}),
        ("maintainers", {"coordinator", "maintainer"}),
        ("parties", {"coordinator", "maintainer", "reporter"}),
        ("members", {"coordinator", "maintainer", "reporter", "observer"}),
    ],
)
def test_a_message_tells_its_audience_and_not_its_author(
    observed, sirt, coordinator, outsider, audience, expected
):
    for user in (sirt, coordinator):
        user.email = f"{user.username}@example.org"
        user.save()
    message_post(actor=sirt, case=observed, audience=audience, body="The fix lands Tuesday.")
    assert _told(f"message.{audience}") == expected
