"""The first report's time and every finder, on the case room and the advisory desk."""

from datetime import UTC, datetime

import pytest

from akrites.core import clock
from akrites.dedup.services import case_merge
from akrites.dedup.tests.dedup_cast import FIRST, REWORDED
from akrites.disclosure.tests.conftest import CONTENT, _pem, approve, make_draft, make_ready
from akrites.disclosure.tests.test_credits import OTHER_BUG, _submit, _user

EARLY = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 1, 7, 16, 45, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _signing_key(monkeypatch):
    monkeypatch.setenv("AKRITES_SIGNING_KEY", _pem())


@pytest.fixture
def merged(project, reporter, orgs, sirt, system):
    """The later finder's case, accepted with a draft, and the earlier one merged into it."""
    finder = _user(orgs, system, "finder2")
    with clock.frozen(EARLY):
        first = _submit(reporter, FIRST, name="Ada Finder")
    with clock.frozen(LATER):
        later = _submit(finder, OTHER_BUG, name="Bob Later")
    target = make_ready(later.case, system)
    make_draft(target, sirt, {**CONTENT, "credits": [{"name": "Bob Later"}]})
    case_merge(actor=sirt, source=first.case, target=target, reason="same alias bomb")
    return target, finder


def test_the_case_room_shows_the_first_reports_time_to_those_who_read_reports(client, merged, sirt):
    target, finder = merged
    client.force_login(sirt)
    html = client.get(f"/cases/{target.human_id}/").text
    assert "First report" in html and "2026-01-05 09:30 UTC" in html
    client.force_login(finder)  # a co-reporter learns no other finder's time
    response = client.get(f"/cases/{target.human_id}/")
    assert response.status_code == 200
    html = response.text
    assert "First report" not in html and "2026-01-05 09:30" not in html


def test_the_desk_shows_the_first_report_and_every_finder_first_arrival_first(client, merged, sirt):
    target, _ = merged
    client.force_login(sirt)
    html = client.get(f"/cases/{target.human_id}/advisory/").text
    assert "First report" in html and "2026-01-05 09:30 UTC" in html
    finders = html.split('id="fin-h"', 1)[1].split("</table>", 1)[0]
    assert finders.index("Ada Finder") < finders.index("Bob Later")
    assert "<strong>no</strong>" not in finders  # the merge credited both


def test_the_desk_flags_a_finder_an_approved_draft_does_not_credit(
    client, project, reporter, orgs, sirt, system
):
    first = _submit(reporter, FIRST, name="Ada Finder")
    case = make_ready(first.case, system)
    make_draft(case, sirt)
    approve(case, sirt)
    _submit(_user(orgs, system, "finder2"), REWORDED[0], name="Secret Sam", anonymous=True)
    client.force_login(sirt)
    html = client.get(f"/cases/{case.human_id}/advisory/").text
    finders = html.split('id="fin-h"', 1)[1].split("</table>", 1)[0]
    assert "Anonymous" in finders and "<strong>no</strong>" in finders
    assert "Secret Sam" not in html
