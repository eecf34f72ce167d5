"""Embargo decisions and pre-notifications appear in the case timeline, each for those who
may know of it: every party sees the embargo's end move; the maintainers alone see
extensions, lifts and which organisations were told (no member learns of another)."""

from __future__ import annotations

from typing import Any

import pytest

from akrites.access.tests.conftest import prenotify, weekday_in
from akrites.cases.models import TimelineEntry, Visibility
from akrites.cases.selectors import case_timeline
from akrites.confidentiality.services import (
    embargo_break,
    embargo_decide_extension,
    embargo_lift_approve,
    embargo_lift_propose,
    embargo_mark_exploited,
    embargo_request_extension,
    embargo_set_date,
    prenotify_grant,
    prenotify_revoke,
    terms_accept,
)
from akrites.orgs.services import membership_add, org_create

pytestmark = pytest.mark.django_db


def _entries(case: Any, kind: str) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(case=case, kind=kind))


def _kinds(viewer: Any, case: Any) -> list[str]:
    return [e.kind for e in case_timeline(viewer=viewer, case=case)]


def test_embargo_date_set_then_changed_is_seen_by_every_party(notified, maintainer, reporter):
    embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(20))
    embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(30))
    [first] = _entries(notified, "embargo_date_set")
    [second] = _entries(notified, "embargo_date_changed")
    assert first.visibility == second.visibility == Visibility.PARTICIPANTS
    assert second.reason == f"ends {weekday_in(30):%Y-%m-%d %H:%M} UTC"
    assert first.actor_id == maintainer.pk
    assert {"embargo_date_set", "embargo_date_changed"} <= set(_kinds(reporter, notified))


def test_extension_requests_and_decisions_are_the_maintainers_business(
    notified, maintainer, sirt, reporter
):
    until = weekday_in(120)
    asked = embargo_request_extension(actor=maintainer, case=notified, until=until, reason="big")
    embargo_decide_extension(actor=sirt, change=asked, approve=True)
    refused = embargo_request_extension(
        actor=maintainer, case=notified, until=weekday_in(150), reason="more"
    )
    embargo_decide_extension(actor=sirt, change=refused, approve=False)
    kinds = ("embargo_extension_requested", "embargo_extension_approved")
    for kind in (*kinds, "embargo_extension_refused"):
        assert {e.visibility for e in _entries(notified, kind)} == {Visibility.MAINTAINERS}
    assert _entries(notified, "embargo_extension_requested")[0].reason.endswith(": big")
    # The approved end moved, which every party may read (case.read_embargo).
    [moved] = _entries(notified, "embargo_date_changed")
    assert moved.visibility == Visibility.PARTICIPANTS
    assert moved.reason == f"ends {until:%Y-%m-%d %H:%M} UTC"
    assert set(kinds) <= set(_kinds(maintainer, notified))
    seen = _kinds(reporter, notified)
    assert "embargo_date_changed" in seen
    assert not [k for k in seen if k.startswith("embargo_extension")]


def test_exploitation_is_for_the_maintainers_and_the_shorter_end_for_all(notified, sirt, reporter):
    embargo_mark_exploited(actor=sirt, case=notified)
    [entry] = _entries(notified, "embargo_exploited")
    assert entry.visibility == Visibility.MAINTAINERS
    assert _entries(notified, "embargo_date_changed")[0].visibility == Visibility.PARTICIPANTS
    assert "embargo_exploited" not in _kinds(reporter, notified)


def test_early_lift_proposed_and_approved_is_seen_by_maintainers_only(
    notified, maintainer, sirt, reporter
):
    change = embargo_lift_propose(actor=maintainer, case=notified, reason="fix shipped")
    embargo_lift_approve(actor=sirt, change=change)
    [proposed] = _entries(notified, "embargo_lift_proposed")
    [lifted] = _entries(notified, "embargo_lifted")
    assert proposed.visibility == lifted.visibility == Visibility.MAINTAINERS
    assert proposed.reason == "fix shipped" and lifted.actor_id == sirt.pk
    assert {"embargo_lift_proposed", "embargo_lifted"} <= set(_kinds(maintainer, notified))
    assert not {"embargo_lift_proposed", "embargo_lifted"} & set(_kinds(reporter, notified))


def test_a_broken_embargo_is_told_to_every_party(notified, sirt, reporter):
    embargo_break(actor=sirt, case=notified, reason="exploit on a forum")
    [entry] = _entries(notified, "embargo_broken")
    assert entry.visibility == Visibility.PARTICIPANTS
    assert "embargo_broken" in _kinds(reporter, notified)


@pytest.fixture
def rival(orgs, system):
    """A second member organisation with its own observer."""
    from akrites.accounts.models import User

    org = org_create(actor=system, name="Rival Cloud", kind="member", slug="rival")
    user = User.objects.create_user(username="rival-observer", password="x-test-password-1")
    membership_add(actor=system, org=org, user=user, role="member_observer")
    return org, user


def test_prenotification_grants_are_recorded_for_the_maintainers_only(
    notified, maintainer, member_observer, reporter, orgs, rival
):
    rival_org, rival_user = rival
    prenotify(notified, maintainer, orgs["member"], accept_by=member_observer)
    prenotify_grant(actor=maintainer, case=notified, organisation=rival_org)
    terms_accept(actor=rival_user, case=notified)
    grants = _entries(notified, "prenotify_granted")
    assert {e.visibility for e in grants} == {Visibility.MAINTAINERS}
    assert sorted(e.reason.split(":")[0] for e in grants) == ["Rival Cloud", "member org"]
    accepted = _entries(notified, "terms_accepted")
    assert {e.actor_id for e in accepted} == {member_observer.pk, rival_user.pk}
    assert {e.visibility for e in accepted} == {Visibility.MAINTAINERS}
    assert {"prenotify_granted", "terms_accepted"} <= set(_kinds(maintainer, notified))
    # The attack: an observer (or the reporter) reads the timeline to learn who else was told.
    for viewer in (member_observer, rival_user, reporter):
        entries = case_timeline(viewer=viewer, case=notified)
        assert not {"prenotify_granted", "terms_accepted"} & {e.kind for e in entries}
        assert not [e for e in entries if "Rival" in e.reason or "member org" in e.reason]
        assert not [e for e in entries if e.actor_id in {member_observer.pk, rival_user.pk}]


def test_a_revoked_grant_is_recorded_with_its_organisation(
    notified, maintainer, member_observer, reporter, orgs
):
    prenotify(notified, maintainer, orgs["member"], accept_by=member_observer)
    observed = notified
    prenotify_revoke(actor=maintainer, case=observed, user=member_observer)
    [entry] = _entries(observed, "prenotify_revoked")
    assert entry.visibility == Visibility.MAINTAINERS
    assert entry.reason == "access of observer (member org) withdrawn"
    assert "prenotify_revoked" not in _kinds(reporter, observed)


def test_a_refused_change_writes_no_timeline_entry(notified, maintainer):
    from akrites.core.errors import InvalidInput

    before = TimelineEntry.objects.filter(case=notified).count()
    with pytest.raises(InvalidInput):
        embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(400))
    assert TimelineEntry.objects.filter(case=notified).count() == before


def test_an_observer_reads_no_maintainers_or_sirt_entry(
    notified, maintainer, member_observer, sirt, orgs
):
    from akrites.cases.services import timeline_record

    prenotify(notified, maintainer, orgs["member"], accept_by=member_observer)
    for visibility in Visibility.values:
        timeline_record(actor=sirt, case=notified, kind=f"note_{visibility}", visibility=visibility)
    seen = case_timeline(viewer=member_observer, case=notified)
    assert {e.visibility for e in seen} <= {Visibility.PARTICIPANTS, Visibility.PUBLIC}
    assert {"note_participants", "note_public"} <= {e.kind for e in seen}
