"""The advisory desk: draft, edit and publish in the browser (Django test client)."""

import json

import pytest

from akrites.access.tests.conftest import code_for, verified
from akrites.audit.models import AuditEntry
from akrites.disclosure.models import Advisory, AdvisoryState, PublicAdvisory
from akrites.disclosure.tests.conftest import CONTENT, _pem, after_instant, make_draft, make_ready


@pytest.fixture(autouse=True)
def _signing_key(monkeypatch):
    monkeypatch.setenv("AKRITES_SIGNING_KEY", _pem())


@pytest.fixture
def ready(case, system):
    return make_ready(case, system)


@pytest.fixture
def draft(ready, sirt):
    return make_draft(ready, sirt)


def _form(**overrides):
    data = {
        "once": "t1",
        "summary": "Billion laughs in yamlkit.load",
        "details": "Nested aliases expand exponentially.",
        "affected-0-purl": "pkg:pypi/yamlkit",
        "affected-0-vers": "vers:pypi/>=1.0|<1.2.3",
        "affected-0-fixed": "1.2.3",
        "affected-1-purl": "",
        "affected-1-vers": "",
        "affected-1-fixed": "",
        "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        "cwes": "CWE-776",
        "references": "https://github.com/example/yamlkit/issues/1",
        "credits": "Ada Finder",
        "aliases": "",
    }
    return {**data, **overrides}


def test_the_case_room_links_the_desk_for_those_who_may_edit(client, ready, sirt, reporter):
    client.force_login(sirt)
    assert f"/cases/{ready.human_id}/advisory/" in client.get(f"/cases/{ready.human_id}/").text
    client.force_login(reporter)
    assert f"/cases/{ready.human_id}/advisory/" not in client.get(f"/cases/{ready.human_id}/").text


def test_start_then_edit_the_draft(client, ready, sirt):
    client.force_login(sirt)
    url = f"/cases/{ready.human_id}/advisory/"
    assert "Start the draft" in client.get(url).text
    assert client.post(f"{url}start/")["Location"] == url
    assert client.post(f"{url}start/")["Location"] == url  # a replay: still one draft
    assert Advisory.objects.filter(case=ready).count() == 1
    response = client.post(f"{url}save/", _form())
    assert response.status_code == 302 and response["Location"] == url
    content = json.loads(Advisory.objects.get(case=ready).content)
    assert content["affected"][0]["vers"] == "vers:pypi/>=1.0|<1.2.3"
    assert content["cwes"] == ["CWE-776"] and content["credits"][0]["name"] == "Ada Finder"
    page = client.get(url).text
    assert 'value="CWE-776"' in page and "Publish the advisory" in page


def test_edit_keeps_git_ranges_of_an_unchanged_package(client, draft, ready, sirt):
    client.force_login(sirt)
    client.post(f"/cases/{ready.human_id}/advisory/save/", _form(summary="New summary"))
    content = json.loads(Advisory.objects.get(case=ready).content)
    assert content["summary"] == "New summary"
    assert content["affected"][0]["git"] == CONTENT["affected"][0]["git"]


def test_an_invalid_value_is_shown_next_to_its_field_and_nothing_is_saved(
    client, draft, ready, sirt
):
    client.force_login(sirt)
    before = Advisory.objects.get(case=ready).content
    response = client.post(
        f"/cases/{ready.human_id}/advisory/save/",
        _form(**{"affected-0-vers": "vers:pypi/>=oops|<<", "cwes": "CWE-776"}),
    )
    assert response.status_code == 422
    page = response.text
    assert 'id="err-affected-0-vers"' in page
    assert 'aria-describedby="err-affected-0-vers"' in page
    assert "vers:pypi/&gt;=oops|&lt;&lt;" in page  # the value as typed, to correct it
    assert Advisory.objects.get(case=ready).content == before


def test_a_bad_cwe_is_reported_on_the_cwe_field(client, draft, ready, sirt):
    client.force_login(sirt)
    response = client.post(f"/cases/{ready.human_id}/advisory/save/", _form(cwes="CWE-x"))
    assert response.status_code == 422 and 'id="err-cwes"' in response.text


def test_a_replayed_save_does_nothing_twice(client, draft, ready, sirt):
    client.force_login(sirt)
    url = f"/cases/{ready.human_id}/advisory/save/"
    client.post(url, _form(summary="First"))
    count = AuditEntry.objects.filter(action="advisory.update").count()
    client.post(url, _form(summary="Second"))  # same once-token: the Back button
    assert AuditEntry.objects.filter(action="advisory.update").count() == count
    assert json.loads(Advisory.objects.get(case=ready).content)["summary"] == "First"


def test_publish_needs_the_confirmation_box(client, draft, ready, sirt):
    with after_instant(ready):
        client.force_login(sirt)  # sessions count from sign-in on the platform clock
        response = client.post(f"/cases/{ready.human_id}/advisory/publish/", {"once": "p1"})
    assert response.status_code == 422 and 'id="err-confirm"' in response.text
    assert not PublicAdvisory.objects.exists()


def test_publish_before_the_instant_is_refused_with_a_message(client, draft, ready, sirt):
    client.force_login(sirt)
    response = client.post(
        f"/cases/{ready.human_id}/advisory/publish/", {"once": "p1", "confirm": "yes"}
    )
    assert response.status_code == 409 and "embargoed until" in response.text
    assert not PublicAdvisory.objects.exists()


def test_publish_then_a_double_submit_publishes_once(client, draft, ready, sirt):
    url = f"/cases/{ready.human_id}/advisory/publish/"
    with after_instant(ready):
        client.force_login(sirt)
        first = client.post(url, {"once": "p1", "confirm": "yes"})
        public = PublicAdvisory.objects.get()
        assert first.status_code == 302
        assert first["Location"] == f"/advisories/{public.public_id}/"
        again = client.post(url, {"once": "p1", "confirm": "yes"})  # double click / Back
        other_tab = client.post(url, {"once": "p2", "confirm": "yes"})  # a second open form
    assert again["Location"] == other_tab["Location"] == first["Location"]
    assert PublicAdvisory.objects.count() == 1
    assert AuditEntry.objects.filter(action="advisory.publish").count() == 1
    assert Advisory.objects.get(case=ready).state == AdvisoryState.PUBLISHED
    assert public.public_id in client.get(first["Location"]).text


@pytest.mark.mfa
def test_publish_without_a_fresh_code_asks_for_one_first(client, draft, ready, sirt):
    page = f"/cases/{ready.human_id}/advisory/"
    with after_instant(ready):
        verified(client, sirt, step_up=False)
        response = client.post(
            f"{page}publish/",
            {"once": "p1", "confirm": "yes"},
            HTTP_REFERER=f"http://testserver{page}",
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/account/step-up/?next=%2Fcases%2F")
        assert not PublicAdvisory.objects.exists()
        step = client.post("/account/step-up/", {"code": code_for(sirt), "next": page})
        assert step["Location"] == page
        done = client.post(f"{page}publish/", {"once": "p1", "confirm": "yes"})
    assert done.status_code == 302 and PublicAdvisory.objects.count() == 1


def test_a_maintainer_edits_but_does_not_publish(client, draft, ready, maintainer):
    with after_instant(ready):
        client.force_login(maintainer)
        page = client.get(f"/cases/{ready.human_id}/advisory/")
        assert page.status_code == 200 and "Save draft" in page.text
        assert "Publish the advisory" not in page.text
        response = client.post(
            f"/cases/{ready.human_id}/advisory/publish/", {"once": "p1", "confirm": "yes"}
        )
    assert response.status_code == 403 and not PublicAdvisory.objects.exists()


def test_a_reporter_may_not_open_the_desk(client, draft, ready, reporter):
    client.force_login(reporter)
    assert client.get(f"/cases/{ready.human_id}/advisory/").status_code == 403


@pytest.mark.parametrize("suffix", ["", "start/", "save/", "publish/"])
def test_outsider_gets_404_and_nothing_changes(client, draft, ready, outsider, suffix):
    url = f"/cases/{ready.human_id}/advisory/{suffix}"
    before = Advisory.objects.get(case=ready).content
    with after_instant(ready):
        client.force_login(outsider)
        if suffix:
            response = client.post(url, _form(confirm="yes", summary="pwned"))
        else:
            response = client.get(url)
    assert response.status_code == 404
    assert Advisory.objects.get(case=ready).content == before
    assert not PublicAdvisory.objects.exists()
