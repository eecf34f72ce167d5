"""Exporting a case: what each role gets, step-up, refusals, and the per-read audit."""

import pytest
from django.core.management import call_command
from django.test import Client

from akrites.access.tests.conftest import verified
from akrites.accounts.tokens import token_issue
from akrites.audit.models import AuditEntry
from akrites.cases.reads import DENIED_ACTION, read_log
from akrites.confidentiality.services import prenotify_revoke
from akrites.core.errors import NotFound
from akrites.disclosure.services import advisory_create
from akrites.exports.export import case_export
from akrites.orgs.services import membership_add
from akrites.remediation.services import patch_propose
from akrites.remediation.tests.factories import DIFF

pytestmark = pytest.mark.mfa


@pytest.fixture
def full(observed, sirt, system):
    """An embargoed case with a patch the maintainers see, one their terms keep from them
    (AI-generated; its timeline entry is SIRT-only), and an advisory draft."""
    shared = patch_propose(actor=sirt, case=observed, title="fix", diff=DIFF)
    hidden = patch_propose(
        actor=system, case=observed, title="ai fix", diff=DIFF, ai_generated=True
    )
    advisory_create(actor=sirt, case=observed)
    return observed, shared, hidden


def _api(client, case):
    return client.get(f"/api/v1/cases/{case.human_id}/export")


def test_the_sirt_exports_everything(client, full, sirt):
    case, shared, hidden = full
    r = _api(verified(client, sirt), case)
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    doc = r.json()
    assert doc["format"] == "akrites-case-export/1" and doc["case"]["id"] == case.human_id
    assert doc["case"]["title"] == case.title
    assert [rep["body"] for rep in doc["reports"]] == ["Details."]
    assert {p["id"] for p in doc["patches"]} == {shared.public_id, hidden.public_id}
    assert "sirt" in {t["visibility"] for t in doc["timeline"]}
    assert doc["embargo"]["ends_at"] and doc["embargo"]["policy_default"] is False
    assert doc["advisory_draft"]["state"] == "draft"
    assert doc["advisory_draft"]["content"]["summary"]


def test_maintainers_get_only_what_the_field_rules_let_them_see(client, full, maintainer):
    case, shared, _ = full
    doc = _api(verified(client, maintainer), case).json()
    assert [p["id"] for p in doc["patches"]] == [shared.public_id]
    assert "sirt" not in {t["visibility"] for t in doc["timeline"]}
    assert doc["reports"] and doc["advisory_draft"] is not None
    assert doc["roles"] == ["maintainer"]


def test_every_export_is_a_read_in_who_read(client, full, maintainer, capsys):
    case, shared, _ = full
    _api(verified(client, maintainer), case)
    reads = [(e.actor_id, e.action, e.data["ref"]) for e in read_log(human_id=case.human_id)]
    report = case.reports.get().public_id
    assert reads == [
        (maintainer.pk, "read.report", report),
        (maintainer.pk, "read.patch", shared.public_id),
        (maintainer.pk, "read.advisory_draft", case.human_id),
        (maintainer.pk, "read.export", case.human_id),
    ]
    call_command("audit", "who-read", case.human_id)
    assert f"maintainer  export  {case.human_id}" in capsys.readouterr().out


def test_the_html_download_is_an_attachment_not_cached(client, full, maintainer):
    case, _, _ = full
    verified(client, maintainer)
    page = client.get(f"/cases/{case.human_id}/")
    assert f'href="/cases/{case.human_id}/export.json"' in page.content.decode()
    r = client.get(f"/cases/{case.human_id}/export.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert r["Content-Disposition"] == f'attachment; filename="{case.human_id}.json"'
    assert r["Cache-Control"] == "no-store"
    assert r.json()["case"]["id"] == case.human_id
    assert client.post(f"/cases/{case.human_id}/export.json").status_code == 405


def test_without_a_fresh_code_the_export_asks_for_one(client, full, maintainer):
    case, _, _ = full
    verified(client, maintainer, step_up=False)
    r = _api(client, case)
    assert r.status_code == 403 and r.json()["error"]["code"] == "step_up_required"
    r = client.get(f"/cases/{case.human_id}/export.json")
    assert r.status_code == 302
    assert r["Location"] == f"/account/step-up/?next=%2Fcases%2F{case.human_id}%2Fexport.json"
    assert not AuditEntry.objects.filter(action__startswith="read.").exists()


@pytest.mark.parametrize("who", ["outsider", "other_maintainer", "revoked_observer"])
def test_those_who_may_not_see_the_case_get_404_and_are_recorded(
    client, full, maintainer, member_observer, outsider, other_project, system, who
):
    case, _, _ = full
    user = {"outsider": outsider, "revoked_observer": member_observer}.get(who, outsider)
    if who == "other_maintainer":
        membership_add(actor=system, org=other_project.team, user=outsider, role="maintainer")
    if who == "revoked_observer":
        prenotify_revoke(actor=maintainer, case=case, user=member_observer)
    verified(client, user)
    assert _api(client, case).status_code == 404
    assert client.get(f"/cases/{case.human_id}/export.json").status_code == 404
    assert AuditEntry.objects.filter(
        action=DENIED_ACTION, object_id=case.human_id, actor_id=user.pk
    ).exists()
    assert not AuditEntry.objects.filter(action__startswith="read.").exists()
    with pytest.raises(NotFound):
        case_export(viewer=user, human_id=case.human_id)


@pytest.mark.parametrize("who", ["reporter", "member_observer"])
def test_participants_who_see_the_case_may_not_export_it(request, client, full, who):
    case, _, _ = full
    user = request.getfixturevalue(who)
    verified(client, user)
    assert _api(client, case).status_code == 403
    assert client.get(f"/cases/{case.human_id}/export.json").status_code == 403
    page = client.get(f"/cases/{case.human_id}/")
    assert "export.json" not in page.content.decode()


def test_api_tokens_cannot_export(full, sirt):
    case, _, _ = full
    issued = token_issue(actor=sirt, user=sirt, name="ci", scopes=["read", "submit"])
    r = Client().get(
        f"/api/v1/cases/{case.human_id}/export", HTTP_AUTHORIZATION=f"Bearer {issued.secret}"
    )
    assert r.status_code == 403
