import json

import pytest
from django.core.management import call_command

from akrites.accounts.models import User
from akrites.audit.services import audit_verify
from akrites.cases.models import Case, Status
from akrites.demo.loader import CAST, load_demo
from akrites.orgs.models import Organisation, OrgKind
from akrites.projects.models import Project


@pytest.fixture(autouse=True)
def _private_var(settings, tmp_path):
    # The demo keeps its credentials under VAR_DIR; never touch a developer's real file.
    settings.VAR_DIR = tmp_path


def test_demo_loads_the_whole_cast_and_is_idempotent(db):
    users = load_demo()
    assert {u.username for u in users} == {name for name, *_ in CAST} | {"scanner-bot"}
    assert Organisation.objects.filter(kind=OrgKind.MEMBER).count() == 2
    assert Organisation.objects.filter(kind=OrgKind.SIRT).count() == 1
    assert Project.objects.count() == 3
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {
        Status.TRIAGE,
        Status.ACCEPTED,
        Status.FIXING,
        Status.DISCLOSED,
        Status.REJECTED,
    } <= statuses
    counts = (User.objects.count(), Case.objects.count())
    assert [u.password for u in load_demo()] == [u.password for u in users]
    assert (User.objects.count(), Case.objects.count()) == counts
    assert audit_verify().ok


def _sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_demo_users_can_log_in(client, db, settings):
    for user in load_demo():
        response = _sign_in(client, user.username, user.password)
        if user.role == "scanner":
            assert response.status_code == 200  # the form again: no usable password
            continue
        assert response.status_code == 302, user.username
        client.post("/logout/")


@pytest.mark.mfa
def test_demo_sirt_and_maintainers_sign_in_with_their_printed_totp(client, db):
    from akrites.demo.loader import totp_code

    users = {u.username: u for u in load_demo()}
    assert users["reporter"].totp_secret is None
    for name in ("sirt-lead", "maintainer"):
        assert users[name].totp_secret
        assert _sign_in(client, name, users[name].password).status_code == 302
        assert client.get("/inbox/")["Location"].startswith("/account/mfa/")
        response = client.post("/account/mfa/", {"code": totp_code(name), "next": "/inbox/"})
        assert response.status_code == 302 and response["Location"] == "/inbox/"
        assert client.get("/inbox/").status_code == 200
        client.post("/logout/")


def test_demo_tokens_work_for_the_reporter_and_the_scanner(client, db):
    users = {u.username: u for u in load_demo()}
    for name in ("reporter", "scanner-bot"):
        token = users[name].api_token
        assert token and token.startswith("akr_")
        response = client.get("/api/v1/reports", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200, name


def test_demo_json_lists_users(db, capsys):
    call_command("demo", "--json")
    listed = json.loads(capsys.readouterr().out)
    assert {"username", "role", "organisation", "password"} <= set(listed[0])
    assert {u["role"] for u in listed} >= {"sirt_lead", "maintainer", "reporter", "member_observer"}


def test_every_demo_user_has_a_verified_address_and_the_demo_mail_arrives(db):
    from django.core import mail

    from akrites.notifications.models import Delivery
    from akrites.notifications.tests.helpers import run_all

    load_demo()
    users = User.objects.filter(username__in=[name for name, *_ in CAST] + ["scanner-bot"])
    assert all(u.has_verified_email for u in users)
    assert {u.email for u in users} >= {"sirt-lead@demo.akrites.test", "reporter@demo.akrites.test"}
    outcomes = run_all()
    assert outcomes and set(outcomes) == {"delivered"}
    assert not Delivery.objects.filter(status="failed").exists()
    assert all(m.to[0].endswith("@demo.akrites.test") for m in mail.outbox)


def test_a_fresh_demo_gives_candidates_and_the_sirt_lead_may_tell_them(db):
    from akrites.access.policy import allowed
    from akrites.confidentiality.models import PrenotificationGrant, Sbom
    from akrites.confidentiality.selectors import prenotify_candidates
    from akrites.confidentiality.services import prenotify_grant
    from akrites.demo.loader import PRENOTIFY_CASE

    load_demo()
    assert set(Sbom.objects.values_list("organisation__slug", flat=True)) == {
        "nimbus-cloud",
        "orbital-linux",
    }
    lead = User.objects.get(username="sirt-lead")
    [case] = [c for c in Case.objects.all() if c.title == PRENOTIFY_CASE]  # titles encrypted
    found = prenotify_candidates(viewer=lead, case=case)
    assert [c.organisation.slug for c in found] == ["orbital-linux"]
    assert found[0].matches == [("pkg:npm/yamlkit", "1.2.0")]
    assert not allowed(User.objects.get(username="sirt-coordinator"), "prenotify.grant", case)
    prenotify_grant(actor=lead, case=case, organisation=found[0].organisation)
    told = PrenotificationGrant.objects.get(case=case)
    assert told.user.username == "member-admin"
    assert audit_verify().ok


def test_the_demo_member_sees_the_fix_after_accepting(client, db):
    from akrites.confidentiality.services import prenotify_grant
    from akrites.demo.loader import PRENOTIFY_CASE

    load_demo()
    [case] = [c for c in Case.objects.all() if c.title == PRENOTIFY_CASE]  # titles encrypted
    orbital = Organisation.objects.get(slug="orbital-linux")
    prenotify_grant(actor=User.objects.get(username="sirt-lead"), case=case, organisation=orbital)
    client.force_login(User.objects.get(username="member-admin"))
    assert f"/cases/{case.human_id}/terms/" in client.get("/inbox/").text
    assert client.post(f"/cases/{case.human_id}/terms/").status_code == 302
    page = client.get("/inbox/").text
    assert "Canonical fix" in page and "Advisory draft" in page
    assert "No patch proposed yet" not in client.get(f"/cases/{case.human_id}/").text


def test_the_demo_has_a_conversation_each_party_reads_its_part_of(db):
    from akrites.conversation.selectors import thread

    load_demo()
    [case] = [c for c in Case.objects.all() if c.title == "Anchor alias loop in yamlkit npm build"]
    seen = {
        name: [
            s.message.number
            for s in thread(viewer=User.objects.get(username=name), case=case).messages
        ]
        for name in ("sirt-coordinator", "maintainer", "reporter")
    }
    assert seen == {"sirt-coordinator": [1, 2, 3], "maintainer": [1, 2, 3], "reporter": [1, 2]}
