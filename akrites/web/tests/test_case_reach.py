"""After an action, the case room says who will really be told — never "notified" when
nobody will be, and for a project without maintainers it names the next step (the ladder)."""

import pytest
from django.contrib.messages import get_messages

from akrites.cases.services import case_accept
from akrites.notifications.tests.helpers import give_address
from akrites.orgs.services import membership_add

pytestmark = pytest.mark.django_db


def _notify(client, case):
    r = client.post(f"/cases/{case.human_id}/transition/", {"name": "notify_maintainers"})
    assert r.status_code == 302
    return [str(m) for m in get_messages(r.wsgi_request)]


def test_notify_on_a_project_without_maintainers_says_nobody_and_offers_the_ladder(
    login, sirt, other_case
):
    case_accept(actor=sirt, case=other_case)
    client = login(sirt)
    before = client.get(f"/cases/{other_case.human_id}/").content.decode()
    assert "would tell nobody" in before
    (message,) = _notify(client, other_case)
    assert message.startswith("Nobody to tell: this project has no maintainers")
    assert "escalate" in message and "notified" not in message.lower()
    room = client.get(f"/cases/{other_case.human_id}/").content.decode()
    assert "Nobody was told: this project has no maintainers" in room
    assert f"/cases/{other_case.human_id}/remediation/" in room


def test_notify_counts_the_maintainers_who_will_get_mail(
    login, sirt, maintainer, reporter, case, orgs, system
):
    from conftest import _user

    second = _user("second-maintainer")
    membership_add(actor=system, org=orgs["project_team"], user=second, role="maintainer")
    for user in (maintainer, second, reporter):
        give_address(user)
    case_accept(actor=sirt, case=case)
    (message,) = _notify(login(sirt), case)
    assert message == (
        "Applied: notify_maintainers. 2 maintainers and 1 reporter will be told by e-mail."
    )


def test_notify_says_when_no_maintainer_can_be_reached_by_mail(
    login, sirt, maintainer, reporter, case
):
    case_accept(actor=sirt, case=case)
    (message,) = _notify(login(sirt), case)
    assert "Nobody will be told by e-mail (1 maintainer and 1 reporter have no verified" in message
    assert "No maintainer has a verified e-mail address" in message


def test_only_coordinators_see_the_no_maintainers_note(login, client, sirt, reporter, case):
    from akrites.cases.services import case_notify_maintainers

    case_accept(actor=sirt, case=case)  # the project's team has no maintainer member
    case_notify_maintainers(actor=sirt, case=case)
    assert b"Nobody was told" in login(sirt).get(f"/cases/{case.human_id}/").content
    page = login(reporter).get(f"/cases/{case.human_id}/")
    assert page.status_code == 200 and b"no maintainers" not in page.content
