"""The inbox of a member told under embargo: the terms first, then the case with its embargo
end, the canonical fix and the advisory draft; through the real client and database."""

import pytest

from akrites.access.tests.conftest import move, weekday_in
from akrites.confidentiality.models import PrenotificationGrant
from akrites.confidentiality.services import embargo_set_date, prenotify_grant
from akrites.disclosure.services import advisory_create
from akrites.remediation.services import patch_choose, patch_propose
from akrites.remediation.tests.factories import DIFF

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixing(case, sirt, maintainer):
    """A case being fixed, with a canonical fix, another proposal and an advisory draft."""
    case = move(case, sirt, maintainer, "start_fix")
    chosen = patch_propose(actor=maintainer, case=case, title="Disable entities", diff=DIFF)
    patch_propose(actor=sirt, case=case, title="Alternative approach", diff=DIFF)
    patch_choose(actor=maintainer, case=case, patch_id=chosen.public_id)
    advisory_create(actor=maintainer, case=case)
    embargo_set_date(actor=maintainer, case=case, ends_at=weekday_in(14))
    return case


@pytest.fixture
def told(fixing, maintainer, member_observer, orgs):
    prenotify_grant(actor=maintainer, case=fixing, organisation=orgs["member"])
    return fixing


def test_a_told_member_sees_the_terms_link_and_the_embargo_end(client, told, member_observer):
    client.force_login(member_observer)
    page = client.get("/inbox/").text
    end = told.embargo.ends_at
    assert f'href="/cases/{told.human_id}/terms/"' in page
    assert f'action="/cases/{told.human_id}/terms/"' in page  # the accept button
    assert f"{end:%Y-%m-%d %H:%M} UTC" in page
    # Nothing of the case beyond its id before the terms are accepted.
    for secret in (told.title, "Disable entities", "Canonical fix", "yamlkit"):
        assert secret not in page.replace("yamlkit maintainers", "")


def test_accepting_from_the_inbox_shows_the_fix_and_the_draft(client, told, member_observer):
    client.force_login(member_observer)
    accepted = client.post(f"/cases/{told.human_id}/terms/")
    assert accepted.status_code == 302
    assert PrenotificationGrant.objects.get(user=member_observer).accepted_at is not None
    page = client.get("/inbox/").text
    fix = told.patches.get(state="canonical")
    assert f'href="/cases/{told.human_id}/terms/"' not in page
    assert f'href="/cases/{told.human_id}/"' in page and told.title in page
    assert f"{told.embargo.ends_at:%Y-%m-%d %H:%M} UTC" in page
    assert f'href="/cases/{told.human_id}/patches/{fix.public_id}/"' in page
    assert f'href="/cases/{told.human_id}/#adv-h"' in page and "Advisory draft" in page


def test_the_accepted_member_reads_the_canonical_fix_only(client, told, member_observer):
    client.force_login(member_observer)
    client.post(f"/cases/{told.human_id}/terms/")
    room = client.get(f"/cases/{told.human_id}/").text
    fix = told.patches.get(state="canonical")
    other = told.patches.get(state="proposed")
    assert "No patch proposed yet" not in room
    assert fix.public_id in room and "canonical fix" in room
    assert other.public_id not in room
    assert "Advisory preview" in room
    assert client.get(f"/cases/{told.human_id}/patches/{fix.public_id}/").status_code == 200
    assert client.get(f"/cases/{told.human_id}/patches/{other.public_id}/").status_code == 404


def test_the_told_member_cannot_accept_anothers_case(client, told, other_case, member_observer):
    client.force_login(member_observer)
    assert client.post(f"/cases/{other_case.human_id}/terms/").status_code == 404
    assert client.get(f"/cases/{other_case.human_id}/").status_code == 404


def test_the_accept_button_needs_the_csrf_token(told, member_observer):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member_observer)
    assert browser.post(f"/cases/{told.human_id}/terms/").status_code == 403
    assert PrenotificationGrant.objects.get(user=member_observer).accepted_at is None


def test_a_revoked_member_no_longer_sees_the_row(client, told, maintainer, member_observer):
    from akrites.confidentiality.services import prenotify_revoke

    prenotify_revoke(actor=maintainer, case=told, user=member_observer)
    client.force_login(member_observer)
    page = client.get("/inbox/").text
    assert told.human_id not in page
    assert client.get(f"/cases/{told.human_id}/").status_code == 404


@pytest.mark.parametrize("who", ["reporter", "outsider", "coordinator"])
def test_others_see_no_terms_row(request, client, told, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get("/inbox/").text
    assert f"/cases/{told.human_id}/terms/" not in page


def test_the_maintainer_sees_the_fix_and_the_draft_too(client, told, maintainer):
    client.force_login(maintainer)
    page = client.get("/inbox/").text
    fix = told.patches.get(state="canonical")
    assert f"/cases/{told.human_id}/patches/{fix.public_id}/" in page
    assert f"/cases/{told.human_id}/terms/" not in page
