"""SLA and EU CRA clocks with a frozen clock; the periodic breach job is idempotent."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from akrites.cases.tests.triage_cast import MONDAY, send
from akrites.cases.triage.clocks import add_business_days, case_clocks
from akrites.cases.triage.models import ClockBreach, ClockKind
from akrites.core import clock


def at(day, hour=10):
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(2), 2, at(4)),  # Monday → Wednesday
        (at(6), 2, at(10)),  # Friday → Tuesday
        (at(7), 2, at(10)),  # Saturday → Tuesday
        (at(8), 1, at(9)),  # Sunday → Monday
        (at(2), 10, at(16)),  # two working weeks
    ],
)
def test_business_days(start, days, due):
    assert add_business_days(start, days) == due


def _case(**fields):
    base = {
        "created_at": MONDAY,
        "responded_at": None,
        "triaged_at": None,
        "known_exploited": False,
        "exploited_at": None,
        "fix_ready_at": None,
        "cra_early_warning_at": None,
        "cra_notification_at": None,
        "cra_final_report_at": None,
    }
    return SimpleNamespace(**{**base, **fields})


def test_cra_clocks_apply_only_when_exploited_and_final_report_after_a_fix():
    assert {c.kind for c in case_clocks(_case(), at=MONDAY)} == {
        ClockKind.SLA_ACKNOWLEDGE,
        ClockKind.SLA_ASSESS,
    }
    aware = MONDAY + timedelta(hours=3)
    clocks = {
        c.kind: c for c in case_clocks(_case(known_exploited=True, exploited_at=aware), at=aware)
    }
    assert clocks[ClockKind.CRA_EARLY_WARNING].due_at == aware + timedelta(hours=24)
    assert clocks[ClockKind.CRA_NOTIFICATION].due_at == aware + timedelta(hours=72)
    assert ClockKind.CRA_FINAL_REPORT not in clocks
    fixed = MONDAY + timedelta(days=5)
    case = _case(known_exploited=True, exploited_at=aware, fix_ready_at=fixed)
    final = {c.kind: c for c in case_clocks(case, at=fixed)}[ClockKind.CRA_FINAL_REPORT]
    assert final.due_at == fixed + timedelta(days=14)
    assert final.state == "running"


def test_sla_breach_detected_and_recorded_once(project, reporter, sirt, system):
    from akrites.cases.triage.services import case_claim, clock_breaches_record

    with clock.frozen(MONDAY):
        case = send(reporter, "bug")
        clock.advance(timedelta(days=2))  # Wednesday 09:00: exactly due, not late
        assert clock_breaches_record(actor=system) == []
        clock.advance(timedelta(minutes=1))
        new = clock_breaches_record(actor=system)
        assert [(b.case_id, b.kind) for b in new] == [(case.pk, ClockKind.SLA_ACKNOWLEDGE)]
        assert clock_breaches_record(actor=system) == []  # idempotent
        case_claim(actor=sirt, case=case)  # a late response: still a breach, "met late"
        states = {
            c.kind: c.state
            for c in case_clocks(case.__class__.objects.get(pk=case.pk), at=clock.now())
        }
        assert states[ClockKind.SLA_ACKNOWLEDGE] == "met late"
        assert states[ClockKind.SLA_ASSESS] == "running"
        clock.advance(timedelta(days=12))
        kinds = [b.kind for b in clock_breaches_record(actor=system)]
        assert kinds == [ClockKind.SLA_ASSESS]
    assert ClockBreach.objects.filter(case=case).count() == 2


def test_triage_decision_in_time_meets_both_sla_clocks(project, reporter, sirt, system):
    from akrites.cases.services import case_accept
    from akrites.cases.triage.services import clock_breaches_record

    with clock.frozen(MONDAY):
        case = send(reporter, "bug")
        clock.advance(timedelta(days=1))
        case_accept(actor=sirt, case=case)
        clock.advance(timedelta(days=30))
        assert clock_breaches_record(actor=system) == []


def test_cra_breaches_with_a_frozen_clock(project, reporter, sirt, system):
    from akrites.cases.triage.services import (
        case_claim,
        case_cra_report_record,
        case_exploitation_set,
        clock_breaches_record,
    )

    with clock.frozen(MONDAY):
        case = send(reporter, "exploited bug")
        case_claim(actor=sirt, case=case)
        case_exploitation_set(actor=sirt, case=case, known_exploited=True, reason="in the wild")
        clock.advance(timedelta(hours=25))
        kinds = {b.kind for b in clock_breaches_record(actor=system)}
        assert kinds == {ClockKind.CRA_EARLY_WARNING}
        case_cra_report_record(actor=sirt, case=case, report="notification")
        clock.advance(timedelta(hours=48))  # 73 h after awareness: notification was filed
        assert clock_breaches_record(actor=system) == []


def test_fix_ready_starts_the_cra_final_report_clock(case, sirt, maintainer, system):
    from akrites.cases import services
    from akrites.cases.models import Case
    from akrites.cases.triage.services import case_cra_report_record, case_exploitation_set
    from akrites.core.errors import Conflict

    with clock.frozen(MONDAY):
        case_exploitation_set(actor=sirt, case=case, known_exploited=True, reason="exploit seen")
        with pytest.raises(Conflict):
            case_cra_report_record(actor=sirt, case=case, report="final_report")
        services.case_accept(actor=sirt, case=case)
        services.case_notify_maintainers(actor=sirt, case=case)
        services.case_acknowledge(actor=maintainer, case=case)
        services.case_start_fix(actor=maintainer, case=case)
        clock.advance(timedelta(days=3))
        services.case_mark_fix_ready(actor=maintainer, case=case)
        fixed = Case.objects.get(pk=case.pk)
        assert fixed.fix_ready_at == MONDAY + timedelta(days=3)
        final = {c.kind: c for c in case_clocks(fixed, at=clock.now())}[ClockKind.CRA_FINAL_REPORT]
        assert final.due_at == MONDAY + timedelta(days=17)


def test_cra_report_needs_known_exploited(case, sirt):
    from akrites.cases.triage.services import case_cra_report_record
    from akrites.core.errors import Conflict, InvalidInput

    with pytest.raises(InvalidInput):
        case_cra_report_record(actor=sirt, case=case, report="postcard")
    with pytest.raises(Conflict):
        case_cra_report_record(actor=sirt, case=case, report="early_warning")


def test_periodic_job_is_registered_and_the_task_runs(case, system):
    from akrites.cases.tasks import record_clock_breaches
    from akrites.core.periodic import jobs

    assert "cases.record_clock_breaches" in {j.name for j in jobs()}
    with clock.frozen(case.created_at + timedelta(days=30)):
        assert record_clock_breaches.call() == 2
        assert record_clock_breaches.call() == 0
