"""The sender's daily quota, checked at submission before anything is stored."""

from datetime import timedelta

import pytest

from akrites.cases.tests.triage_cast import MONDAY, scanner, send
from akrites.core import clock
from akrites.core.errors import RateLimited
from akrites.intake.models import Report


def test_scanner_quota_throttles_with_429_and_stores_nothing(project, orgs, sirt, system):
    from akrites.cases.triage.services import sender_quota_set

    bot = scanner(system, orgs["finder"])
    sender_quota_set(actor=sirt, user=bot, daily_limit=3, reason="pilot")
    with clock.frozen(MONDAY):
        for n in range(3):
            send(bot, f"finding {n}")
        clock.advance(timedelta(hours=1))
        with pytest.raises(RateLimited) as err:
            send(bot, "one too many")
        assert Report.objects.filter(reporter=bot).count() == 3
        assert err.value.retry_after == 23 * 3600
        clock.advance(timedelta(hours=23, seconds=1))
        send(bot, "a new day")
    assert Report.objects.filter(reporter=bot).count() == 4


def test_a_batch_larger_than_the_quota_is_refused_whole(project, orgs, sirt, system):
    from akrites.cases.triage.services import sender_quota_set
    from akrites.intake.parsers import PackageRef, ParsedReport
    from akrites.intake.services import Submission, reports_record

    bot = scanner(system, orgs["finder"])
    sender_quota_set(actor=sirt, user=bot, daily_limit=2, reason="pilot")
    subs = [
        Submission(ParsedReport(title=f"finding {n}", source_format="akrites",
                                package=PackageRef(purl="pkg:pypi/yamlkit")))
        for n in range(3)
    ]  # fmt: skip
    with pytest.raises(RateLimited) as err:
        reports_record(actor=bot, submissions=subs)
    assert err.value.retry_after == 24 * 3600
    assert not Report.objects.filter(reporter=bot).exists()


def test_people_have_no_daily_budget_by_default(project, reporter):
    for n in range(5):
        send(reporter, f"bug {n}")
