"""The SIRT lead pre-notifies only with the maintainers' consent, and only they give it."""

import pytest

from akrites.access.policy import allowed
from akrites.access.tests.conftest import weekday_in
from akrites.audit.models import AuditEntry
from akrites.confidentiality.models import PrenotificationGrant, PrenotifyConsent
from akrites.confidentiality.services import (
    embargo_set_date,
    prenotify_consent,
    prenotify_grant,
)
from akrites.core.errors import NotFound, PermissionDenied

ACTIONS = ("prenotify.view_candidates", "prenotify.grant")


@pytest.fixture
def dated(notified, maintainer):
    embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(14))
    return notified


def test_sirt_lead_without_consent_is_refused(dated, sirt, orgs):
    assert not any(allowed(sirt, a, dated) for a in ACTIONS)
    with pytest.raises(PermissionDenied):
        prenotify_grant(actor=sirt, case=dated, organisation=orgs["member"])
    assert not PrenotificationGrant.objects.exists()


def test_sirt_lead_with_consent_tells_members(dated, sirt, maintainer, member_observer, orgs):
    prenotify_consent(actor=maintainer, case=dated, given=True)
    assert all(allowed(sirt, a, dated) for a in ACTIONS)
    [grant] = prenotify_grant(actor=sirt, case=dated, organisation=orgs["member"])
    assert grant.user == member_observer and grant.decided_by == sirt
    entry = AuditEntry.objects.get(action="prenotify.consent")
    assert entry.actor_id == maintainer.pk and entry.object_id == dated.human_id


def test_withdrawn_consent_refuses_the_lead_again(dated, sirt, maintainer, orgs):
    prenotify_consent(actor=maintainer, case=dated, given=True)
    prenotify_consent(actor=maintainer, case=dated, given=False)
    assert not allowed(sirt, "prenotify.grant", dated)
    with pytest.raises(PermissionDenied):
        prenotify_grant(actor=sirt, case=dated, organisation=orgs["member"])
    assert AuditEntry.objects.filter(action="prenotify.consent_withdraw").count() == 1


def test_consent_is_idempotent(dated, maintainer):
    first = prenotify_consent(actor=maintainer, case=dated, given=True)
    assert prenotify_consent(actor=maintainer, case=dated, given=True) == first
    assert PrenotifyConsent.objects.count() == 1
    assert AuditEntry.objects.filter(action="prenotify.consent").count() == 1


def test_coordinator_is_refused_even_with_consent(dated, coordinator, maintainer, orgs):
    prenotify_consent(actor=maintainer, case=dated, given=True)
    assert not any(allowed(coordinator, a, dated) for a in ACTIONS)
    with pytest.raises(PermissionDenied):
        prenotify_grant(actor=coordinator, case=dated, organisation=orgs["member"])


@pytest.mark.parametrize("who", ["member_observer", "reporter", "outsider"])
def test_members_reporters_and_outsiders_are_refused_with_consent(
    request, dated, maintainer, orgs, who
):
    prenotify_consent(actor=maintainer, case=dated, given=True)
    actor = request.getfixturevalue(who)
    assert not any(allowed(actor, a, dated) for a in ACTIONS)
    with pytest.raises((PermissionDenied, NotFound)):
        prenotify_grant(actor=actor, case=dated, organisation=orgs["member"])
    assert not PrenotificationGrant.objects.exists()


@pytest.mark.parametrize("who", ["sirt", "coordinator", "member_observer", "reporter"])
def test_only_maintainers_give_consent(request, dated, who):
    with pytest.raises((PermissionDenied, NotFound)):
        prenotify_consent(actor=request.getfixturevalue(who), case=dated, given=True)
    assert not PrenotifyConsent.objects.exists()


def test_consent_for_one_case_does_not_reach_another(dated, other_case, sirt, maintainer):
    prenotify_consent(actor=maintainer, case=dated, given=True)
    assert not allowed(sirt, "prenotify.grant", other_case)
