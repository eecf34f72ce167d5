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
