import json

from django.core.management import call_command

from akrites.accounts.models import User
from akrites.audit.services import audit_verify
from akrites.cases.models import Case, Status
from akrites.demo.loader import CAST, load_demo
from akrites.orgs.models import Organisation, OrgKind
from akrites.projects.models import Project


def test_demo_loads_the_whole_cast_and_is_idempotent(db):
    users = load_demo()
    assert {u.username for u in users} == {name for name, *_ in CAST}
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
        assert client.login(username=user.username, password=user.password), user.username
        client.logout()


def test_demo_json_lists_users(db, capsys):
    call_command("demo", "--json")
    listed = json.loads(capsys.readouterr().out)
    assert {"username", "role", "organisation", "password"} <= set(listed[0])
    assert {u["role"] for u in listed} >= {"sirt_lead", "maintainer", "reporter", "member_observer"}
