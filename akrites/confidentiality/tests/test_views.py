"""The pre-notification page as each role, through the real HTTP client and database."""

import pytest

from akrites.access.tests.conftest import weekday_in
from akrites.access.tests.test_prenotify import cyclonedx
from akrites.audit.models import AuditEntry
from akrites.confidentiality.models import PrenotificationGrant, PrenotifyConsent
from akrites.confidentiality.services import embargo_set_date, sbom_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(notified, maintainer, member_observer, orgs):
    """A notified case with a near embargo end and a member running the package."""
    embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(14))
    sbom_register(
        actor=member_observer,
        organisation=orgs["member"],
        name="prod",
        document=cyclonedx(("pkg:pypi/yamlkit", "yamlkit", "1.2.0")),
    )
    return notified


def _url(case):
    return f"/cases/{case.human_id}/prenotification/"


def test_sirt_lead_without_consent_is_told_who_gives_it(client, ready, sirt):
    client.force_login(sirt)
    response = client.get(_url(ready))
    assert response.status_code == 403
    assert b"have not consented" in response.content and b"maintainer" in response.content
    response = client.post(_url(ready), {"organisation": "member-org"})
    assert response.status_code == 403
    assert not PrenotificationGrant.objects.exists()


def test_maintainer_consents_and_the_lead_tells_the_member(client, ready, maintainer, sirt, orgs):
    client.force_login(maintainer)
    page = client.get(_url(ready))
    assert page.status_code == 200 and b'value="give"' in page.content
    assert client.post(_url(ready), {"consent": "give"}).status_code == 302
    assert PrenotifyConsent.objects.get(case=ready).given_by == maintainer
    client.force_login(sirt)
    page = client.get(_url(ready))
    assert page.status_code == 200
    assert b"member org" in page.content and b"pkg:pypi/yamlkit@1.2.0" in page.content
    assert b'value="give"' not in page.content  # only the maintainers consent
    assert client.post(_url(ready), {"organisation": "member-org"}).status_code == 302
    grant = PrenotificationGrant.objects.get(case=ready)
    assert grant.decided_by == sirt and grant.organisation == orgs["member"]
    assert b"told" in client.get(_url(ready)).content


def test_the_lead_cannot_consent_for_the_maintainers(client, ready, sirt):
    client.force_login(sirt)
    assert client.post(_url(ready), {"consent": "give"}).status_code == 403
    assert not PrenotifyConsent.objects.exists()
    assert not AuditEntry.objects.filter(action="prenotify.consent").exists()


def test_withdrawing_consent_shuts_the_lead_out(client, ready, maintainer, sirt):
    client.force_login(maintainer)
    client.post(_url(ready), {"consent": "give"})
    client.post(_url(ready), {"consent": "withdraw"})
    client.force_login(sirt)
    assert client.get(_url(ready)).status_code == 403


def test_coordinator_is_refused_with_consent(client, ready, maintainer, coordinator):
    client.force_login(maintainer)
    client.post(_url(ready), {"consent": "give"})
    client.force_login(coordinator)
    assert client.get(_url(ready)).status_code == 403
    assert client.post(_url(ready), {"organisation": "member-org"}).status_code == 403
    assert not PrenotificationGrant.objects.exists()


@pytest.mark.parametrize("who", ["member_observer", "reporter", "outsider"])
def test_members_reporters_and_outsiders_are_refused(request, client, ready, maintainer, who):
    client.force_login(maintainer)
    client.post(_url(ready), {"consent": "give"})
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(ready)).status_code in (403, 404)
    for data in ({"organisation": "member-org"}, {"consent": "withdraw"}):
        assert client.post(_url(ready), data).status_code in (403, 404)
    assert not PrenotificationGrant.objects.exists()
    assert PrenotifyConsent.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_the_api_tells_the_lead_the_same(client, ready, sirt, maintainer):
    from akrites.confidentiality.services import prenotify_consent

    client.force_login(sirt)
    url = f"/api/v1/cases/{ready.human_id}/prenotification"
    refused = client.get(f"{url}/candidates")
    assert refused.status_code == 403
    assert "have not consented" in refused.json()["error"]["message"]
    posted = client.post(url, {"organisation": "member-org"}, content_type="application/json")
    assert posted.status_code == 403 and "have not consented" in posted.json()["error"]["message"]
    assert not PrenotificationGrant.objects.exists()
    prenotify_consent(actor=maintainer, case=ready, given=True)
    found = client.get(f"{url}/candidates").json()
    assert [c["organisation"] for c in found] == ["member-org"]
