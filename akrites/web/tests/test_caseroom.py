"""The case room renders only what the viewer's roles allow, and errors next to the field."""

from akrites.cases.models import Case, Status, TimelineEntry


def test_reporter_sees_no_actions_participants_or_triage(client, case, reporter):
    client.force_login(reporter)
    html = client.get(f"/cases/{case.human_id}/").content.decode()
    assert case.human_id in html
    assert 'name="name"' not in html and "Participants and their access" not in html
    assert "/triage/" not in html and "Remediation: dates" not in html
    assert ">Patches</a>" in html  # any case viewer may propose a patch


def test_sirt_sees_actions_participants_and_case_pages(client, case, sirt):
    Case.objects.filter(pk=case.pk).update(
        proposed_cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
    )
    client.force_login(sirt)
    html = client.get(f"/cases/{case.human_id}/").content.decode()
    assert 'name="name"' in html and "Participants and their access" in html
    assert f"/cases/{case.human_id}/triage/" in html
    assert "7.5 High" in html and "proposed by the reporter" in html


def test_unknown_duplicate_is_an_error_next_to_its_field(client, case, sirt):
    client.force_login(sirt)
    response = client.post(
        f"/cases/{case.human_id}/transition/",
        {"name": "mark_duplicate", "duplicate_of": "AKR-1999-99999", "reason": "same"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="t-dup-err"' in html and 'aria-invalid="true"' in html
    assert Case.objects.get(pk=case.pk).status == Status.TRIAGE


def test_a_replayed_transition_is_refused_once_and_not_repeated(client, case, sirt):
    client.force_login(sirt)
    url = f"/cases/{case.human_id}/transition/"
    assert client.post(url, {"name": "accept"}).status_code == 302
    replay = client.post(url, {"name": "accept"})
    assert replay.status_code == 409 and 'id="t-name-err"' in replay.content.decode()
    assert TimelineEntry.objects.filter(case=case, new_status=Status.ACCEPTED).count() == 1


def test_get_of_the_transition_url_goes_back_to_the_room(client, case, sirt):
    client.force_login(sirt)
    response = client.get(f"/cases/{case.human_id}/transition/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.human_id}/"
