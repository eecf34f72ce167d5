"""The case room's timeline shows the lifecycle events each viewer may know of: the embargo's
end to every party, a pre-notification to the maintainers only."""

from __future__ import annotations

import pytest

from akrites.access.tests.conftest import move, prenotify
from akrites.disclosure.services import advisory_create

pytestmark = pytest.mark.django_db


def _timeline(client, user, case):
    client.force_login(user)
    response = client.get(f"/cases/{case.human_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="tl-h"') :]


@pytest.fixture
def told(case, sirt, maintainer, member_observer, orgs):
    case = move(case, sirt, maintainer, "notify_maintainers")
    prenotify(case, maintainer, orgs["member"], accept_by=member_observer)
    advisory_create(actor=maintainer, case=case)
    return case


def test_maintainers_see_embargo_prenotification_and_draft(client, told, maintainer):
    html = _timeline(client, maintainer, told)
    assert "embargo_date_set" in html and "prenotify_granted" in html
    assert "member org: 1 person(s) told" in html and "terms_accepted" in html
    assert "advisory_drafted" in html


@pytest.mark.parametrize("who", ["reporter", "member_observer"])
def test_reporter_and_observer_see_the_embargo_end_but_not_who_was_told(client, told, who, request):
    html = _timeline(client, request.getfixturevalue(who), told)
    assert "embargo_date_set" in html
    assert "prenotify_granted" not in html and "terms_accepted" not in html
    assert "member org" not in html and "advisory_drafted" not in html
