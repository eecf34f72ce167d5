import pytest

from akrites.access.policy import (
    ACTIONS,
    MAINTAINER,
    REPORTER,
    SIRT,
    SIRT_LEAD,
    allowed,
    case_roles,
    require,
)
from akrites.cases.lifecycle import TRANSITIONS
from akrites.cases.models import ParticipantRole
from akrites.cases.parties import visible_cases
from akrites.cases.services import case_transition, participant_add, participant_revoke
from akrites.core.errors import NotFound, PermissionDenied
from akrites.orgs.services import membership_remove


def test_every_action_used_by_a_transition_has_a_rule():
    assert {t.action for t in TRANSITIONS} <= ACTIONS


def test_unknown_action_is_denied_even_to_the_sirt(sirt, case):
    assert not allowed(sirt, "case.do_anything", case)
    assert not allowed(sirt, "made.up")


def test_roles_of_the_cast(
    case, sirt, coordinator, maintainer, reporter, member_observer, outsider
):
    assert case_roles(sirt, case) == {SIRT, SIRT_LEAD}
    assert case_roles(coordinator, case) == {SIRT}
    assert case_roles(maintainer, case) == frozenset()  # not told yet (see below)
    assert case_roles(reporter, case) == {REPORTER}
    assert case_roles(member_observer, case) == frozenset()
    assert case_roles(outsider, case) == frozenset()


def test_maintainers_become_parties_when_they_are_notified(case, sirt, maintainer, login):
    """On the maintainers' terms: the SIRT screens a report before the project's team is
    told, so a report still in triage (or accepted, not yet sent) is not theirs to read."""
    client = login(maintainer)
    paths = [f"/cases/{case.human_id}/", f"/api/v1/cases/{case.human_id}"]
    paths.append(f"/api/v1/cases/{case.human_id}/content")
    for step in (None, "accept"):
        if step:
            case = case_transition(actor=sirt, case=case, name=step)
        assert case_roles(maintainer, case) == frozenset()
        assert case not in visible_cases(maintainer)
        assert not allowed(maintainer, "case.read_report_text", case)
        assert [client.get(p).status_code for p in paths] == [404, 404, 404]
    case = case_transition(actor=sirt, case=case, name="notify_maintainers")
    assert case.maintainers_notified_at is not None
    assert case_roles(maintainer, case) == {MAINTAINER}
    assert case in visible_cases(maintainer)
    assert [client.get(p).status_code for p in paths] == [200, 200, 200]


def test_an_embargo_break_before_notification_makes_the_maintainers_parties(case, sirt):
    case = case_transition(actor=sirt, case=case, name="accept")
    case = case_transition(actor=sirt, case=case, name="break_embargo", reason="exploited")
    assert case.maintainers_notified_at is not None


def test_outsider_gets_not_found_and_viewer_gets_permission_denied(case, outsider, reporter):
    with pytest.raises(NotFound):
        require(outsider, "case.triage", case)
    with pytest.raises(PermissionDenied):
        require(reporter, "case.triage", case)


def test_maintainer_of_another_project_cannot_see_the_case(other_case, maintainer):
    assert other_case not in visible_cases(maintainer)
    with pytest.raises(NotFound):
        require(maintainer, "case.acknowledge", other_case)


def test_visible_cases_matches_case_view(case, other_case, sirt, maintainer, reporter, outsider):
    for user in (sirt, maintainer, reporter, outsider):
        visible = set(visible_cases(user))
        for c in (case, other_case):
            assert (c in visible) == allowed(user, "case.view", c)


def test_observer_participation_alone_grants_nothing(case, sirt, member_observer):
    # Only pre-notification plus accepted terms make an observer (see test_prenotify).
    participant_add(actor=sirt, case=case, user=member_observer, role=ParticipantRole.OBSERVER)
    assert not allowed(member_observer, "case.view", case)
    assert case not in visible_cases(member_observer)


def test_observer_access_expires_and_can_be_revoked(observed, sirt, member_observer):
    assert allowed(member_observer, "case.view", observed)
    participant_revoke(
        actor=sirt, case=observed, user=member_observer, role=ParticipantRole.OBSERVER
    )
    assert not allowed(member_observer, "case.view", observed)
    assert observed not in visible_cases(member_observer)


def test_field_rules(observed, sirt, maintainer, reporter, member_observer):
    from akrites.access.policy import may_read_field

    table = {
        "internal_notes": {sirt},
        "report_text": {sirt, maintainer},
        "advisory_draft": {sirt, maintainer, reporter, member_observer},
        "patch": {sirt, maintainer, member_observer},
    }
    for field, readers in table.items():
        for user in (sirt, maintainer, reporter, member_observer):
            assert may_read_field(user, observed, field) == (user in readers), (field, user)
    assert not may_read_field(sirt, observed, "no_such_field")


def test_departed_maintainer_loses_access(case, sirt, maintainer, orgs, system):
    for step in ("accept", "notify_maintainers"):
        case = case_transition(actor=sirt, case=case, name=step)
    assert allowed(maintainer, "case.view", case)
    membership_remove(actor=system, org=orgs["project_team"], user=maintainer, role="maintainer")
    maintainer.refresh_from_db()
    fresh = type(maintainer).objects.get(pk=maintainer.pk)  # a new request: no cached roles
    assert not allowed(fresh, "case.view", case)


def test_inactive_user_has_no_access(case, sirt):
    sirt.is_active = False
    assert not allowed(sirt, "case.view", case)
    assert not visible_cases(sirt).exists()


def test_anonymous_sees_nothing(case):
    from django.contrib.auth.models import AnonymousUser

    assert not allowed(AnonymousUser(), "case.view", case)
    assert not visible_cases(AnonymousUser()).exists()
