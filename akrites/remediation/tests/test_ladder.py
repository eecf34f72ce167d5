from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import override_settings

from akrites.audit.models import AuditEntry
from akrites.cases.models import Status, TimelineEntry
from akrites.core import clock
from akrites.projects.models import Project
from akrites.remediation.conf import add_business_days
from akrites.remediation.models import ContactAttempt, LadderStep, Stewardship
from akrites.remediation.services import (
    ladder_run,
    project_mark_status,
    remediation_acknowledge,
    remediation_set_dates,
    terms_update,
)
from akrites.remediation.tests.conftest import move_to

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_business_days_skip_weekends():
    friday = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
    assert add_business_days(friday, 2) == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    assert add_business_days(saturday, 2) == datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
    assert add_business_days(MONDAY, 6) == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def silent(case, system):
    """A case notified on a Monday morning, and the clock frozen there."""
    with clock.frozen(MONDAY):
        yield move_to(case, "accept", "notify_maintainers", actor=system)


def _critical(project, score=0.9):
    Project.objects.filter(pk=project.pk).update(criticality_score=score)


def _status(case):
    case.refresh_from_db()
    return case.status


def test_reminder_after_two_business_days_then_escalation_after_six(silent, maintainer):
    clock.advance(timedelta(days=1, hours=23))
    assert ladder_run().reminders == 0
    clock.advance(timedelta(hours=1))  # Wednesday 09:00
    result = ladder_run()
    assert result.reminders == 1 and result.escalations == 0
    attempt = ContactAttempt.objects.get()
    assert attempt.number == 1 and attempt.channels[0] == "platform"
    assert ladder_run().reminders == 0  # idempotent
    clock.advance(timedelta(days=5, hours=23))  # Monday 08:00: 5 business days + 23 h
    assert ladder_run().escalations == 0
    clock.advance(timedelta(hours=1))  # Tuesday 09:00: 6 business days
    assert ladder_run().escalations == 1
    assert _status(silent) == Status.ESCALATED
    assert ladder_run().escalations == 0
    kinds = list(TimelineEntry.objects.filter(case=silent).values_list("kind", flat=True))
    assert kinds.count("reminder") == 1
    assert AuditEntry.objects.filter(action="remediation.remind").count() == 1
    assert AuditEntry.objects.filter(action="case.escalate").count() == 1


def test_acknowledgement_stops_the_ladder(silent, maintainer):
    remediation_acknowledge(actor=maintainer, case=silent)
    clock.advance(timedelta(days=30))
    result = ladder_run()
    assert result.as_dict() == {"reminders": 0, "escalations": 0, "stewardships": 0, "due_dates": 0}


def test_reminders_go_through_every_known_contact(silent, maintainer):
    terms_update(
        actor=maintainer,
        project=silent.project,
        contact_channels=[
            {"kind": "email", "address": "security@yamlkit.example"},
            {"kind": "github", "address": "https://github.com/yamlkit"},
        ],
        embargo_max_days=None,
        accepts_patches=True,
        accepts_ai_patches=False,
    )
    clock.advance(timedelta(days=2))
    ladder_run()
    assert ContactAttempt.objects.get().channels == ["platform", "email", "github"]
    entry = TimelineEntry.objects.get(kind="reminder")
    assert "security@" not in entry.reason  # kinds, never addresses
    assert entry.visibility == "maintainers"


def _silence_for_six_weeks():
    for _ in range(6 * 7):
        clock.advance(timedelta(days=1))
        ladder_run()


def test_unreachable_critical_package_enters_stewardship(silent, project):
    _critical(project)
    _silence_for_six_weeks()
    assert _status(silent) == Status.STEWARDSHIP
    stewardship = Stewardship.objects.get(case=silent)
    assert stewardship.trigger == "unreachable"
    assert ContactAttempt.objects.filter(case=silent).count() >= 3
    entry = TimelineEntry.objects.get(case=silent, new_status=Status.STEWARDSHIP)
    assert entry.actor_label == "system:remediation.ladder"
    assert AuditEntry.objects.filter(action="stewardship.enter").get().data == {
        "trigger": "unreachable"
    }


def test_not_before_three_attempts_and_six_weeks(silent, project):
    _critical(project)
    for _ in range(40):
        clock.advance(timedelta(days=1))
        ladder_run()
    assert _status(silent) == Status.ESCALATED


def test_unreachable_but_not_critical_stays_with_the_sirt(silent, project):
    _critical(project, 0.2)
    _silence_for_six_weeks()
    assert _status(silent) == Status.ESCALATED
    assert LadderStep.objects.filter(step="stewardship_not_eligible").count() == 1
    entry = TimelineEntry.objects.get(kind="ladder")
    assert entry.visibility == "sirt" and "below" in entry.reason


def test_recent_release_means_not_abandoned(silent, project, maintainer):
    _critical(project)
    terms_update(
        actor=maintainer,
        project=project,
        contact_channels=[],
        embargo_max_days=None,
        accepts_patches=True,
        accepts_ai_patches=False,
        last_release_on=date(2026, 1, 15),
    )
    _silence_for_six_weeks()
    assert _status(silent) == Status.ESCALATED


def test_unscored_project_is_not_critical_unless_configured(silent):
    _silence_for_six_weeks()
    assert _status(silent) == Status.ESCALATED


@override_settings(AKRITES_REMEDIATION={"criticality_default": 1.0})
def test_policy_is_configurable(silent):
    _silence_for_six_weeks()
    assert _status(silent) == Status.STEWARDSHIP


def test_archived_critical_project_goes_to_stewardship_at_once(silent, project, sirt):
    _critical(project)
    project_mark_status(actor=sirt, project=project, status="archived", reason="archived")
    result = ladder_run()
    assert (result.escalations, result.stewardships) == (1, 1)
    assert _status(silent) == Status.STEWARDSHIP
    assert Stewardship.objects.get().trigger == "archived"
    assert ladder_run().stewardships == 0


def test_due_dates_are_recorded_once(silent, maintainer):
    acknowledged = remediation_acknowledge(actor=maintainer, case=silent)
    start = clock.now()
    remediation_set_dates(
        actor=maintainer,
        case=acknowledged,
        target_fix_on=(start + timedelta(days=5)).date(),
        disclosure_at=start + timedelta(days=10),
    )
    clock.advance(timedelta(days=7))
    assert ladder_run().due_dates == 1
    assert ladder_run().due_dates == 0
    clock.advance(timedelta(days=4))
    assert ladder_run().due_dates == 1
    kinds = set(TimelineEntry.objects.filter(case=acknowledged).values_list("kind", flat=True))
    assert {"fix_overdue", "disclosure_due"} <= kinds
    assert LadderStep.objects.count() == 2


def test_a_failing_case_does_not_stop_the_others(silent, other_case, system, monkeypatch):
    from akrites.remediation.services import ladder

    move_to(other_case, "accept", "notify_maintainers", actor=system)
    real = ladder._remind

    def flaky(case, *args, **kwargs):
        if case.pk == silent.pk:
            raise RuntimeError("boom")
        return real(case, *args, **kwargs)

    monkeypatch.setattr(ladder, "_remind", flaky)
    clock.advance(timedelta(days=3))
    assert ladder_run().reminders == 1
    assert ContactAttempt.objects.get().case_id == other_case.pk


def test_the_periodic_job_is_registered():
    from akrites.core.periodic import jobs

    job = next(j for j in jobs() if j.name == "remediation.ladder")
    assert job.task == "akrites.remediation.tasks.run_ladder"
    from akrites.remediation.tasks import run_ladder

    assert run_ladder is not None
