"""The advisory desk: draft, edit, approve, publish, revise and withdraw in the browser
(Django test client)."""

import json

import pytest

from akrites.access.tests.conftest import code_for, verified
from akrites.audit.models import AuditEntry
from akrites.disclosure.models import Advisory, AdvisoryApproval, AdvisoryState, PublicAdvisory
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
    assert 'value="CWE-776"' in page and "Approve the advisory" in page


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


def _approve(revision, **extra):
    return {"once": "p1", "confirm": "yes", "release": "now", "revision": str(revision), **extra}


def test_approve_needs_the_confirmation_box(client, draft, ready, sirt):
    with after_instant(ready):
        client.force_login(sirt)  # sessions count from sign-in on the platform clock
        response = client.post(
            f"/cases/{ready.human_id}/advisory/approve/",
            {**_approve(draft.revision), "confirm": ""},
        )
    assert response.status_code == 422 and 'id="err-confirm"' in response.text
    assert not PublicAdvisory.objects.exists() and not AdvisoryApproval.objects.exists()


def test_approving_now_before_the_instant_is_refused_with_a_message(client, draft, ready, sirt):
    client.force_login(sirt)
    response = client.post(f"/cases/{ready.human_id}/advisory/approve/", _approve(draft.revision))
    assert response.status_code == 409 and "embargoed until" in response.text
    assert not PublicAdvisory.objects.exists() and not AdvisoryApproval.objects.exists()


def test_approving_a_revision_someone_changed_meanwhile_is_refused(client, draft, ready, sirt):
    client.force_login(sirt)
    client.post(f"/cases/{ready.human_id}/advisory/save/", _form(summary="Edited in another tab"))
    response = client.post(
        f"/cases/{ready.human_id}/advisory/approve/", _approve(draft.revision, release="at_instant")
    )
    assert response.status_code == 409 and "changed since revision" in response.text
    assert not AdvisoryApproval.objects.exists()


def test_approve_now_then_a_double_submit_publishes_once(client, draft, ready, sirt):
    url = f"/cases/{ready.human_id}/advisory/approve/"
    with after_instant(ready):
        client.force_login(sirt)
        first = client.post(url, _approve(draft.revision))
        public = PublicAdvisory.objects.get()
        assert first.status_code == 302
        assert first["Location"] == f"/advisories/{public.public_id}/"
        again = client.post(url, _approve(draft.revision))  # double click / Back
        other_tab = client.post(url, _approve(draft.revision, once="p2"))  # a second open form
    assert again["Location"] == other_tab["Location"] == first["Location"]
    assert PublicAdvisory.objects.count() == 1
    assert AuditEntry.objects.filter(action="advisory.publish").count() == 1
    assert AuditEntry.objects.filter(action="advisory.approve").count() == 1
    assert Advisory.objects.get(case=ready).state == AdvisoryState.PUBLISHED
    assert public.public_id in client.get(first["Location"]).text


def test_approve_for_the_instant_then_saving_voids_it(client, draft, ready, sirt, system):
    from akrites.disclosure.services import publish_due

    client.force_login(sirt)
    page = f"/cases/{ready.human_id}/advisory/"
    done = client.post(f"{page}approve/", _approve(draft.revision, release="at_instant"))
    assert done.status_code == 302 and done["Location"] == page
    shown = client.get(page).text
    assert "to go out at the disclosure instant" in shown and "voids the approval" in shown
    saved = client.post(f"{page}save/", _form(summary="A late change"))
    assert saved["Location"] == page
    assert "The approval is void" in client.get(page).text
    assert Advisory.objects.get(case=ready).state == AdvisoryState.DRAFT
    with after_instant(ready):
        assert publish_due(actor=system) == []
    assert not PublicAdvisory.objects.exists()


def test_withdrawing_an_approval_from_the_desk(client, draft, ready, sirt, maintainer):
    client.force_login(sirt)
    page = f"/cases/{ready.human_id}/advisory/"
    client.post(f"{page}approve/", _approve(draft.revision, release="at_instant"))
    client.force_login(maintainer)
    assert "Withdraw the approval" in client.get(page).text
    long = client.post(f"{page}approval/withdraw/", {"once": "w1", "reason": "x" * 1001})
    assert long.status_code == 422 and 'id="err-unapprove-reason"' in long.text
    done = client.post(f"{page}approval/withdraw/", {"once": "w2", "reason": "Not yet."})
    assert done.status_code == 302
    assert Advisory.objects.get(case=ready).state == AdvisoryState.DRAFT


@pytest.mark.mfa
def test_approving_without_a_fresh_code_asks_for_one_first(client, draft, ready, sirt):
    page = f"/cases/{ready.human_id}/advisory/"
    with after_instant(ready):
        verified(client, sirt, step_up=False)
        response = client.post(
            f"{page}approve/", _approve(draft.revision), HTTP_REFERER=f"http://testserver{page}"
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/account/step-up/?next=%2Fcases%2F")
        assert not PublicAdvisory.objects.exists() and not AdvisoryApproval.objects.exists()
        step = client.post("/account/step-up/", {"code": code_for(sirt), "next": page})
        assert step["Location"] == page
        done = client.post(f"{page}approve/", _approve(draft.revision))
    assert done.status_code == 302 and PublicAdvisory.objects.count() == 1


def test_a_maintainer_edits_but_does_not_approve(client, draft, ready, maintainer):
    with after_instant(ready):
        client.force_login(maintainer)
        page = client.get(f"/cases/{ready.human_id}/advisory/")
        assert page.status_code == 200 and "Save draft" in page.text
        assert "Approve the advisory" not in page.text
        response = client.post(
            f"/cases/{ready.human_id}/advisory/approve/", _approve(draft.revision)
        )
    assert response.status_code == 403 and not PublicAdvisory.objects.exists()


@pytest.fixture
def published(draft, ready, sirt):
    from akrites.disclosure.tests.conftest import publish_now

    return publish_now(ready, sirt)


def test_revise_from_the_desk_with_a_reason(client, published, ready, sirt):
    client.force_login(sirt)
    page = f"/cases/{ready.human_id}/advisory/"
    shown = client.get(page).text
    assert "Publish the revision" in shown and "Withdraw the advisory" in shown
    assert "Save draft" not in shown
    url = f"{page}revise/"
    no_reason = client.post(url, _form(summary="Billion laughs, revised", once="r1"))
    assert no_reason.status_code == 422 and 'id="err-revise-reason"' in no_reason.text
    assert "Billion laughs, revised" in no_reason.text  # kept as typed
    bad = client.post(url, _form(cwes="CWE-x", reason="Fix the CWE.", once="r2"))
    assert bad.status_code == 422 and 'id="err-cwes"' in bad.text and "Fix the CWE." in bad.text
    body = _form(summary="Billion laughs, revised", reason="Clearer summary.", once="r3")
    done = client.post(url, body)
    assert done.status_code == 302 and done["Location"] == f"/advisories/{published.public_id}/"
    again = client.post(url, body)  # a replay: the same outcome, no third version
    assert again["Location"] == done["Location"]
    published.refresh_from_db()
    assert published.version == 2 and published.summary == "Billion laughs, revised"
    detail = client.get(done["Location"]).text
    assert "Clearer summary." in detail and "Version 2 published." in detail


def test_withdraw_from_the_desk_with_a_reason(client, published, ready, sirt):
    client.force_login(sirt)
    url = f"/cases/{ready.human_id}/advisory/withdraw/"
    unticked = client.post(url, {"once": "x1", "reason": "Duplicate."})
    assert unticked.status_code == 422 and 'id="err-withdraw-confirm"' in unticked.text
    assert "Duplicate." in unticked.text
    blank = client.post(url, {"once": "x2", "reason": " ", "confirm": "yes"})
    assert blank.status_code == 422 and 'id="err-withdraw-reason"' in blank.text
    done = client.post(url, {"once": "x3", "reason": "Duplicate.", "confirm": "yes"})
    assert done.status_code == 302
    published.refresh_from_db()
    assert published.withdrawn_at is not None
    assert "Withdrawn: Duplicate." in client.get(done["Location"]).text
    assert "every version stays public" in client.get(f"/cases/{ready.human_id}/advisory/").text


@pytest.mark.mfa
@pytest.mark.parametrize("op", ["revise", "withdraw"])
def test_revising_or_withdrawing_asks_for_a_fresh_code(client, published, ready, sirt, op):
    page = f"/cases/{ready.human_id}/advisory/"
    verified(client, sirt, step_up=False)
    body = _form(summary="Changed", reason="Because.", confirm="yes")
    response = client.post(f"{page}{op}/", body, HTTP_REFERER=f"http://testserver{page}")
    assert response["Location"].startswith("/account/step-up/")
    published.refresh_from_db()
    assert published.version == 1


def test_a_maintainer_may_not_revise_or_withdraw(client, published, ready, maintainer):
    client.force_login(maintainer)
    page = f"/cases/{ready.human_id}/advisory/"
    assert "Publish the revision" not in client.get(page).text
    for op in ("revise", "withdraw"):
        body = _form(summary="Changed", reason="Because.", confirm="yes")
        assert client.post(f"{page}{op}/", body).status_code == 403
    published.refresh_from_db()
    assert published.version == 1


def test_a_reporter_may_not_open_the_desk(client, draft, ready, reporter):
    client.force_login(reporter)
    assert client.get(f"/cases/{ready.human_id}/advisory/").status_code == 403


@pytest.mark.parametrize(
    "suffix", ["", "start/", "save/", "approve/", "approval/withdraw/", "revise/", "withdraw/"]
)
def test_outsider_gets_404_and_nothing_changes(client, draft, ready, outsider, suffix):
    url = f"/cases/{ready.human_id}/advisory/{suffix}"
    before = Advisory.objects.get(case=ready).content
    with after_instant(ready):
        client.force_login(outsider)
        if suffix:
            body = _form(confirm="yes", summary="pwned", reason="r", release="now", revision="1")
            response = client.post(url, body)
        else:
            response = client.get(url)
    assert response.status_code == 404
    assert Advisory.objects.get(case=ready).content == before
    assert not PublicAdvisory.objects.exists()
