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


def test_demo_users_can_log_in(client, db, settings):
    for user in load_demo():
        if user.role == "scanner":
            assert not client.login(username=user.username, password=user.password)
            continue
        assert client.login(username=user.username, password=user.password), user.username
        client.logout()


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
