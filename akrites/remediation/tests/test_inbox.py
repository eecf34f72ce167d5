from datetime import UTC, date, datetime, timedelta

import pytest

from akrites.audit.models import AuditEntry
from akrites.cases.models import CaseParticipant, Status, TimelineEntry
from akrites.confidentiality.ends import agreed_end, embargo_end
from akrites.core import clock
from akrites.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from akrites.remediation.models import CaseRemediation, VersionStatement
from akrites.remediation.services import (
    comaintainer_invite,
    remediation_acknowledge,
    remediation_dispute,
    remediation_set_dates,
    statement_set,
    terms_update,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday: +30, +120 days are weekdays


@pytest.fixture(autouse=True)
def _monday():
    with clock.frozen(T0):
        yield


def _state(case):
    return (
        type(case).objects.get(pk=case.pk).status,
        TimelineEntry.objects.count(),
        AuditEntry.objects.count(),
        CaseRemediation.objects.count(),
    )


def test_maintainer_acknowledges(notified, maintainer):
    case = remediation_acknowledge(actor=maintainer, case=notified)
    assert case.status == Status.ACKNOWLEDGED
    assert AuditEntry.objects.filter(action="case.acknowledge").exists()


def test_reporter_cannot_acknowledge(notified, reporter):
    with pytest.raises(PermissionDenied):
        remediation_acknowledge(actor=reporter, case=notified)


def test_outsider_gets_not_found(notified, outsider):
    with pytest.raises(NotFound):
        remediation_acknowledge(actor=outsider, case=notified)


def test_dispute_records_the_outcome_and_reason(notified, maintainer):
    record = remediation_dispute(
        actor=maintainer, case=notified, outcome="works_as_designed", reason="Documented limit."
    )
    notified.refresh_from_db()
    assert notified.status == Status.DISPUTED
    assert (record.dispute_outcome, record.dispute_reason) == (
        "works_as_designed",
        "Documented limit.",
    )
    entry = TimelineEntry.objects.filter(case=notified, new_status=Status.DISPUTED).get()
    assert entry.reason == "Works as designed: Documented limit."
    assert AuditEntry.objects.get(action="remediation.dispute").data == {
        "outcome": "works_as_designed"
    }


@pytest.mark.parametrize(
    ("outcome", "reason", "field"),
    [("works_as_designed", "  ", "reason"), ("meh", "because", "outcome")],
)
def test_bad_dispute_changes_nothing(notified, maintainer, outcome, reason, field):
    before = _state(notified)
    with pytest.raises(InvalidInput) as exc:
        remediation_dispute(actor=maintainer, case=notified, outcome=outcome, reason=reason)
    assert exc.value.field == field
    assert _state(notified) == before


def test_dates_within_policy(notified, maintainer):
    at = clock.now()
    record = remediation_set_dates(
        actor=maintainer,
        case=notified,
        target_fix_on=(at + timedelta(days=20)).date(),
        disclosure_at=at + timedelta(days=30),
    )
    assert record.target_fix_on == (at + timedelta(days=20)).date()
    assert agreed_end(notified) == at + timedelta(days=30)
    assert TimelineEntry.objects.filter(case=notified, kind="dates").exists()


def test_disclosure_beyond_policy_is_refused_and_changes_nothing(notified, maintainer):
    before = _state(notified)
    with pytest.raises(InvalidInput) as exc:
        remediation_set_dates(
            actor=maintainer, case=notified, disclosure_at=clock.now() + timedelta(days=120)
        )
    assert exc.value.field == "disclosure_at" and "at most" in exc.value.message
    assert _state(notified) == before


def test_disclosure_date_is_the_embargo_end(notified, maintainer):
    from akrites.confidentiality.models import Embargo

    remediation_set_dates(
        actor=maintainer, case=notified, disclosure_at=clock.now() + timedelta(days=30)
    )
    assert Embargo.objects.get(case=notified).ends_at == T0 + timedelta(days=30)


def test_exception_is_an_extension_request_for_the_sirt(notified, maintainer):
    from akrites.confidentiality.models import EmbargoChange

    remediation_set_dates(
        actor=maintainer,
        case=notified,
        disclosure_at=clock.now() + timedelta(days=120),
        approve_exception=True,
        reason="big refactor",
    )
    assert agreed_end(notified) is None  # the date is the SIRT's to grant
    change = EmbargoChange.objects.get()
    assert (change.kind, change.status) == ("extend", "pending")
    assert "extension" in TimelineEntry.objects.get(case=notified, kind="dates").reason


def test_an_exception_needs_a_reason_and_changes_nothing(notified, sirt):
    before = _state(notified)
    with pytest.raises(InvalidInput) as exc:
        remediation_set_dates(
            actor=sirt,
            case=notified,
            disclosure_at=clock.now() + timedelta(days=120),
            approve_exception=True,
        )
    assert exc.value.field == "reason"
    assert _state(notified) == before


def test_the_sirts_exception_is_decided_by_another_sirt_member(notified, sirt, coordinator):
    from akrites.confidentiality.models import EmbargoChange
    from akrites.confidentiality.services import embargo_decide_extension

    until = clock.now() + timedelta(days=120)
    remediation_set_dates(
        actor=coordinator,
        case=notified,
        disclosure_at=until,
        approve_exception=True,
        reason="coordinated with three distributions",
    )
    change = EmbargoChange.objects.get()
    with pytest.raises(PermissionDenied):
        embargo_decide_extension(actor=coordinator, change=change, approve=True)
    decided = embargo_decide_extension(actor=sirt, change=change, approve=True)
    assert decided.ends_at == embargo_end(notified) == until


@pytest.mark.parametrize(
    ("fix", "disclose", "field"),
    [
        (None, -1, "disclosure_at"),
        (-3, None, "target_fix_on"),
        (40, 30, "target_fix_on"),
        (None, None, "disclosure_at"),
    ],
)
def test_bad_dates(notified, maintainer, fix, disclose, field):
    at = clock.now()
    with pytest.raises(InvalidInput) as exc:
        remediation_set_dates(
            actor=maintainer,
            case=notified,
            target_fix_on=(at + timedelta(days=fix)).date() if fix is not None else None,
            disclosure_at=at + timedelta(days=disclose) if disclose is not None else None,
        )
    assert exc.value.field == field
    assert not CaseRemediation.objects.exists()


def test_naive_disclosure_is_refused(notified, maintainer):
    with pytest.raises(InvalidInput):
        remediation_set_dates(actor=maintainer, case=notified, disclosure_at=datetime(2099, 1, 1))


def test_sirt_respects_the_maintainers_embargo_tolerance(notified, maintainer, coordinator):
    terms_update(
        actor=maintainer,
        project=notified.project,
        contact_channels=[],
        embargo_max_days=14,
        accepts_patches=True,
        accepts_ai_patches=False,
    )
    with pytest.raises(InvalidInput) as exc:
        remediation_set_dates(
            actor=coordinator, case=notified, disclosure_at=clock.now() + timedelta(days=30)
        )
    assert "tolerance" in exc.value.message
    # The maintainers themselves may agree to longer, within policy.
    remediation_set_dates(
        actor=maintainer, case=notified, disclosure_at=clock.now() + timedelta(days=30)
    )


def test_dates_refused_on_a_closed_case(notified, maintainer, system):
    from akrites.remediation.tests.conftest import move_to

    closed = move_to(notified, "dispute", "close", actor=system)
    with pytest.raises(Conflict):
        remediation_set_dates(
            actor=maintainer, case=closed, target_fix_on=date.today() + timedelta(days=3)
        )


def test_a_case_rejected_in_triage_was_never_the_maintainers(case, maintainer, system):
    from akrites.remediation.tests.conftest import move_to

    rejected = move_to(case, "reject", actor=system)
    with pytest.raises(NotFound):
        remediation_set_dates(
            actor=maintainer, case=rejected, target_fix_on=date.today() + timedelta(days=3)
        )


def test_invite_a_co_maintainer(acknowledged, maintainer, outsider):
    comaintainer_invite(actor=maintainer, case=acknowledged, username="outsider")
    assert CaseParticipant.objects.filter(user=outsider, role="maintainer").exists()
    # The co-maintainer may now act as a maintainer of this case.
    remediation_set_dates(
        actor=outsider, case=acknowledged, target_fix_on=clock.now().date() + timedelta(days=5)
    )
    with pytest.raises(InvalidInput):
        comaintainer_invite(actor=maintainer, case=acknowledged, username="nobody")


def test_statements_per_version_range(acknowledged, maintainer):
    statement_set(
        actor=maintainer,
        case=acknowledged,
        purl="pkg:pypi/yamlkit",
        version_range="vers:pypi/<1.0",
        status="not_affected",
        justification="vulnerable_code_not_present",
    )
    statement_set(
        actor=maintainer,
        case=acknowledged,
        purl="",
        version_range="vers:pypi/>=1.0|<1.4.2",
        status="affected",
        action_statement="Upgrade to 1.4.2.",
    )
    # A second statement for the same range replaces the first.
    statement_set(
        actor=maintainer,
        case=acknowledged,
        purl="pkg:pypi/yamlkit",
        version_range="vers:pypi/<1.0",
        status="under_investigation",
    )
    rows = {(s.version_range, s.status) for s in VersionStatement.objects.all()}
    assert rows == {
        ("vers:pypi/<1.0", "under_investigation"),
        ("vers:pypi/>=1.0|<1.4.2", "affected"),
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "not_affected"}, "justification"),
        ({"status": "affected"}, "action_statement"),
        ({"status": "fixed", "justification": "component_not_present"}, "justification"),
        ({"status": "not_affected", "justification": "because"}, "justification"),
        ({"status": "broken"}, "status"),
        ({"status": "fixed", "version_range": ">=1"}, "version_range"),
        ({"status": "fixed", "purl": "pkg:cargo/rivet"}, "purl"),
    ],
)
def test_bad_statements(acknowledged, maintainer, kwargs, field):
    args = {"purl": "pkg:pypi/yamlkit", "version_range": "vers:pypi/<1.0", **kwargs}
    with pytest.raises(InvalidInput) as exc:
        statement_set(actor=maintainer, case=acknowledged, **args)
    assert exc.value.field == field
    assert not VersionStatement.objects.exists()
