"""Telling members: who of an organisation is told, and that each gets a notice that names
the case id and links to it, never its content."""

from datetime import timedelta

import pytest
from django.core import mail

from akrites.access.tests.conftest import weekday_in
from akrites.accounts.models import User
from akrites.confidentiality.services import (
    embargo_set_date,
    prenotify_consent,
    prenotify_grant,
)
from akrites.core.clock import now
from akrites.notifications.models import Delivery
from akrites.notifications.tests.helpers import give_address, run_all
from akrites.orgs.services import membership_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated(notified, maintainer):
    embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(14))
    return notified


@pytest.fixture
def member_admin(orgs, system):
    user = User.objects.create_user(username="admin", password="x" * 20)
    give_address(user, "a@example.org")
    membership_add(actor=system, org=orgs["member"], user=user, role="member_admin")
    return user


def _told():
    return sorted(
        Delivery.objects.filter(kind="prenotify.told", channel="email").values_list(
            "user__username", flat=True
        )
    )


def test_each_told_member_user_gets_a_delivery(
    dated, sirt, maintainer, member_observer, orgs, member_admin
):
    give_address(member_observer, "o@example.org")
    prenotify_consent(actor=maintainer, case=dated, given=True)
    grants = prenotify_grant(actor=sirt, case=dated, organisation=orgs["member"])
    assert sorted(g.user.username for g in grants) == ["admin", "observer"]
    run_all("email")
    assert _told() == ["admin", "observer"]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "o@example.org"]
    for message in mail.outbox:
        text = message.subject + message.body
        assert dated.human_id in text and f"/cases/{dated.human_id}/terms/" in message.body
        for secret in (dated.title, "yamlkit", dated.reports.get().body):
            assert secret not in text


def test_nobody_else_hears_of_the_grant(
    dated, sirt, maintainer, member_observer, orgs, coordinator
):
    prenotify_grant(actor=maintainer, case=dated, organisation=orgs["member"])
    run_all("email")
    assert _told() == ["observer"]


def test_a_grant_for_later_sends_nothing_now(dated, maintainer, member_observer, orgs):
    later = now() + timedelta(days=2)
    prenotify_grant(actor=maintainer, case=dated, organisation=orgs["member"], notify_at=later)
    run_all("email")
    assert _told() == []


def test_a_revoked_person_is_not_told(dated, maintainer, member_observer, orgs):
    from akrites.confidentiality.services import prenotify_revoke
    from akrites.notifications.tests.helpers import dispatch_all

    prenotify_grant(actor=maintainer, case=dated, organisation=orgs["member"])
    prenotify_revoke(actor=maintainer, case=dated, user=member_observer)
    dispatch_all()
    assert _told() == []
