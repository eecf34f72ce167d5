"""Finder signal from lifecycle outcomes, and the quota it shrinks (enforced at intake:
``intake/tests/test_quota.py``)."""

import pytest

from akrites.cases.tests.triage_cast import scanner, send
from akrites.cases.triage.signal import TrackRecord, effective_limit, track_record
from akrites.core.errors import RateLimited


@pytest.mark.parametrize(
    ("record", "signal", "precision"),
    [
        (TrackRecord(), 0.5, None),
        (TrackRecord(valid=1), 3 / 5, 1.0),
        (TrackRecord(valid=8), 10 / 12, 1.0),
        (TrackRecord(duplicate=2), 3 / 6, 1.0),
        (TrackRecord(invalid=3), 2 / 7, 0.0),
        (TrackRecord(spam=4), 2 / 12, 0.0),
        (TrackRecord(valid=2, duplicate=1, invalid=1, spam=1), 4.5 / 10, 0.6),
    ],
)
def test_beta_smoothed_signal_and_precision(record, signal, precision):
    assert record.signal == pytest.approx(signal)
    assert record.precision == (None if precision is None else pytest.approx(precision))


def test_signal_moves_as_outcomes_arrive(project, reporter, sirt):
    from akrites.cases.services import case_accept, case_mark_duplicate, case_reject, case_reopen
    from akrites.cases.triage.services import case_reject_as_spam

    cases = [send(reporter, f"bug {n}") for n in range(5)]
    assert track_record(user=reporter).signal == pytest.approx(0.5)
    case_accept(actor=sirt, case=cases[0])
    assert track_record(user=reporter) == TrackRecord(valid=1)
    case_reject(actor=sirt, case=cases[1], reason="not a bug")
    assert track_record(user=reporter).signal == pytest.approx(3 / 6)
    case_mark_duplicate(actor=sirt, case=cases[2], of=cases[0])
    assert track_record(user=reporter) == TrackRecord(valid=1, duplicate=1, invalid=1)
    case_reject_as_spam(actor=sirt, case=cases[3], reason="generated noise")
    after_spam = track_record(user=reporter)
    assert after_spam == TrackRecord(valid=1, duplicate=1, invalid=1, spam=1)
    assert after_spam.signal == pytest.approx(3.5 / 9)
    # Reopening withdraws the decision; nothing is counted twice.
    case_reopen(actor=sirt, case=cases[3], reason="second look")
    assert track_record(user=reporter) == TrackRecord(valid=1, duplicate=1, invalid=1)


def test_low_signal_shrinks_the_budget():
    assert effective_limit(limit=100, signal=0.5) == 100
    assert effective_limit(limit=100, signal=0.9) == 100
    assert effective_limit(limit=100, signal=0.25) == 50
    assert effective_limit(limit=100, signal=0.01) == 10
    assert effective_limit(limit=3, signal=0.01) == 1


def test_spam_shrinks_a_scanner_quota(project, orgs, sirt, system):
    from akrites.cases.triage.services import case_reject_as_spam, sender_quota_set
    from akrites.cases.triage.signal import quota_status

    bot = scanner(system, orgs["finder"])
    sender_quota_set(actor=sirt, user=bot, daily_limit=20, reason="pilot")
    for n in range(4):
        case_reject_as_spam(actor=sirt, case=send(bot, f"noise {n}"), reason="spam")
    used, limit, base = quota_status(user=bot)
    assert (used, base) == (4, 20)
    assert limit == 6  # floor(20 · 2 · 2/12)
    send(bot, "five")
    send(bot, "six")
    with pytest.raises(RateLimited):
        send(bot, "seven")


def test_quota_is_set_by_the_sirt_lead_only(coordinator, orgs, system):
    from akrites.cases.triage.services import sender_quota_set
    from akrites.core.errors import PermissionDenied

    bot = scanner(system, orgs["finder"])
    with pytest.raises(PermissionDenied):
        sender_quota_set(actor=coordinator, user=bot, daily_limit=1, reason="x")
