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


def test_an_anonymous_reporter_is_mailed_a_pointer_to_the_status_page_never_the_text(
    observed, sirt, smtp
):
    from akrites.core.actors import ReportLink
    from akrites.intake.models import Report
    from akrites.notifications.tests.helpers import run_all

    report = observed.reports.get()
    Report.objects.filter(pk=report.pk).update(reporter=None, contact="ada@finder.example")
    message_post(actor=sirt, case=observed, audience="maintainers", body="Maintainers only.")
    message_post(actor=sirt, case=observed, audience="parties", body="Which version, please?")
    link = ReportLink(report_id=report.public_id, case_id=observed.pk)
    message_post(actor=link, case=observed, audience="parties", body="1.2.0, thanks.")
    run_all()
    to_ada = [m for m in smtp.messages if m.rcpt_tos == ["ada@finder.example"]]
    assert len(to_ada) == 1  # the parties' question only: not the maintainers', not her own
    text = to_ada[0].content.decode()
    assert "/report/status/" in text and report.public_id in text
    assert "Which version" not in text and observed.human_id not in text
    assert "Reply-To" not in text
