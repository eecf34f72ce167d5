from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from akrites.access.tests.conftest import move, weekday_in
from akrites.audit.models import AuditEntry
from akrites.cases.models import Status
from akrites.confidentiality.models import Embargo, EmbargoState
from akrites.confidentiality.selectors import embargo_view
from akrites.confidentiality.services import (
    embargo_break,
    embargo_decide_extension,
    embargo_lift_approve,
    embargo_lift_propose,
    embargo_mark_exploited,
    embargo_request_extension,
    embargo_set_date,
)
from akrites.confidentiality.services.embargo import locked_embargo
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


def _notified_at(case):
    return case.timeline.get(new_status=Status.NOTIFIED).at


def test_default_is_90_days_from_notification_and_not_on_a_weekend(notified, maintainer):
    view = embargo_view(viewer=maintainer, case=notified)
    limit = _notified_at(notified) + timedelta(days=90)
    assert view.embargo.limit_at == limit
    assert view.embargo.ends_at <= limit and view.embargo.ends_at.weekday() < 5
    assert view.embargo.pk is None  # shown from policy, nothing stored by a read


def test_no_embargo_before_the_maintainers_are_told(case, sirt):
    assert embargo_view(viewer=sirt, case=case).embargo is None
    with pytest.raises(Conflict):
        embargo_set_date(actor=sirt, case=case, ends_at=weekday_in(10))


def test_exploited_shortens_to_seven_days(notified, sirt):
    embargo = embargo_mark_exploited(actor=sirt, case=notified)
    assert embargo.limit_at == _notified_at(notified) + timedelta(days=7)
    assert embargo.ends_at <= embargo.limit_at


@override_settings(AKRITES_EMBARGO_DAYS=30)
def test_policy_days_are_settings(notified, sirt):
    assert embargo_view(viewer=sirt, case=notified).embargo.limit_at == _notified_at(
        notified
    ) + timedelta(days=30)


def test_viewer_time_zone_is_shown_beside_utc(notified, maintainer):
    maintainer.time_zone = "Asia/Tokyo"
    view = embargo_view(viewer=maintainer, case=notified)
    assert view.zone == "Asia/Tokyo"
    assert view.ends_at_local == view.embargo.ends_at
    assert view.ends_at_local.utcoffset() == timedelta(hours=9)


def test_maintainer_chooses_a_date_within_bounds(notified, maintainer):
    when = weekday_in(20)
    assert embargo_set_date(actor=maintainer, case=notified, ends_at=when).ends_at == when
    assert AuditEntry.objects.filter(action="embargo.set_date").exists()


@pytest.mark.parametrize("bad", ["past", "beyond", "weekend", "naive"])
def test_a_date_outside_policy_is_refused_and_nothing_changes(notified, maintainer, bad):
    before = locked_embargo_ends(notified)
    saturday = weekday_in(10)
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    when = {
        "past": now() - timedelta(days=1),
        "beyond": now() + timedelta(days=200),
        "weekend": saturday,
        "naive": datetime(2030, 1, 2, 12, 0),
    }[bad]
    with pytest.raises(InvalidInput):
        embargo_set_date(actor=maintainer, case=notified, ends_at=when)
    assert locked_embargo_ends(notified) == before
    if bad == "weekend":
        assert (
            embargo_set_date(
                actor=maintainer, case=notified, ends_at=saturday, allow_weekend=True
            ).ends_at
            == saturday
        )


def locked_embargo_ends(case):
    row = Embargo.objects.filter(case=case).first()
    return row.ends_at if row else None


def test_maintainer_of_another_project_cannot_touch_the_embargo(other_case, maintainer, sirt):
    with pytest.raises(NotFound):
        embargo_set_date(actor=maintainer, case=other_case, ends_at=weekday_in(10))
    assert not Embargo.objects.filter(case=other_case).exists()


def test_extension_needs_a_reason_and_sirt_approval(notified, maintainer, sirt, coordinator):
    until = weekday_in(120)
    with pytest.raises(InvalidInput):
        embargo_request_extension(actor=maintainer, case=notified, until=until, reason=" ")
    change = embargo_request_extension(
        actor=maintainer, case=notified, until=until, reason="fix needs a protocol change"
    )
    with pytest.raises(PermissionDenied):
        embargo_decide_extension(actor=maintainer, change=change, approve=True)
    embargo = embargo_decide_extension(actor=coordinator, change=change, approve=True)
    assert embargo.ends_at == until and embargo.limit_at == until


def test_sirt_cannot_approve_its_own_extension(notified, coordinator):
    change = embargo_request_extension(
        actor=coordinator, case=notified, until=weekday_in(120), reason="r"
    )
    with pytest.raises(PermissionDenied):
        embargo_decide_extension(actor=coordinator, change=change, approve=True)


def test_early_lift_needs_two_different_people(notified, maintainer, coordinator):
    change = embargo_lift_propose(actor=maintainer, case=notified, reason="fix shipped")
    with pytest.raises(PermissionDenied):
        embargo_lift_approve(actor=maintainer, change=change)
    assert Embargo.objects.get(case=notified).state == EmbargoState.ACTIVE
    embargo = embargo_lift_approve(actor=coordinator, change=change)
    assert embargo.state == EmbargoState.LIFTED and embargo.ends_at <= now()
    entry = AuditEntry.objects.get(action="embargo.lift")
    assert entry.actor_id == coordinator.pk and entry.data["proposed_by"] == maintainer.pk


def test_an_early_lift_is_proposed_by_a_person_never_by_a_host(notified, maintainer, system):
    """The two-person rule counts people: a host component cannot be the first of the two."""
    from akrites.confidentiality.models import EmbargoChange

    embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(20))
    with pytest.raises(PermissionDenied):
        embargo_lift_propose(actor=system, case=notified, reason="fix shipped")
    assert not EmbargoChange.objects.exists()
    assert Embargo.objects.get(case=notified).state == EmbargoState.ACTIVE


def test_break_discloses_at_once_and_tells_everyone(observed, coordinator):
    from akrites.notifications.models import Event

    case = embargo_break(actor=coordinator, case=observed, reason="exploit on a forum")
    assert case.status == Status.DISCLOSED and case.disclosed_at is not None
    assert Embargo.objects.get(case=case).state == EmbargoState.BROKEN
    # Exactly one notice: the transition's event (a second, home-made one was sent before).
    assert Event.objects.filter(kind="case.break_embargo", case_id=case.pk).count() == 1


def test_break_needs_a_reason_and_the_sirt(notified, maintainer, coordinator):
    with pytest.raises(InvalidInput):
        embargo_break(actor=coordinator, case=notified, reason="")
    with pytest.raises(PermissionDenied):
        embargo_break(actor=maintainer, case=notified, reason="leak")
    notified.refresh_from_db()
    assert notified.status == Status.NOTIFIED


def test_publication_ends_observer_access(observed, sirt, maintainer, member_observer):
    from akrites.access.policy import allowed

    assert allowed(member_observer, "case.view", observed)
    move_to_disclosed = observed
    for step, who in (
        ("acknowledge", maintainer),
        ("start_fix", maintainer),
        ("mark_fix_ready", maintainer),
        ("disclose", sirt),
    ):
        from akrites.cases.services import case_transition

        move_to_disclosed = case_transition(actor=who, case=move_to_disclosed, name=step)
    assert not allowed(member_observer, "case.view", move_to_disclosed)


def test_embargo_instant_is_utc(notified, maintainer):
    embargo = embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(20))
    embargo.refresh_from_db()
    assert embargo.ends_at.utcoffset() == timedelta(0)
    assert embargo.ends_at.tzinfo is not None and embargo.ends_at.astimezone(UTC) == embargo.ends_at
    _ = move
    _ = locked_embargo
