"""Rejected reports published, redacted: package, reason category, date."""

import pytest

from akrites.cases.services import case_transition
from akrites.core.errors import Conflict, InvalidInput, NotFound
from akrites.disclosure.models import PublishedRejection
from akrites.disclosure.services import rejection_publish

REASON = "ZZREJECTMARKER hallucinated function"


@pytest.fixture
def rejected(case, sirt):
    case_transition(actor=sirt, case=case, name="reject", reason=REASON)
    return case.reports.get()


def test_reporter_asks_and_the_page_shows_only_package_reason_and_date(
    client, rejected, reporter, case
):
    done = rejection_publish(actor=reporter, report=rejected, category="unverified_generated")
    assert done.requested_by == "reporter" and done.purl == "pkg:pypi/yamlkit"
    page = client.get("/advisories/rejections/").content.decode()
    assert "pkg:pypi/yamlkit" in page and "Unverified machine-generated report" in page
    for secret in (REASON, "Billion laughs", case.human_id, rejected.public_id):
        assert secret not in page


def test_the_sirt_publishes_by_policy(rejected, sirt):
    assert rejection_publish(actor=sirt, report=rejected, category="spam").requested_by == "policy"


def test_others_may_not(rejected, outsider, maintainer):
    for actor in (outsider, maintainer):
        with pytest.raises(NotFound):
            rejection_publish(actor=actor, report=rejected, category="spam")
    assert not PublishedRejection.objects.exists()


def test_only_rejected_reports_once_with_a_known_category(case, reporter, rejected):
    with pytest.raises(InvalidInput):
        rejection_publish(actor=reporter, report=rejected, category="boring")
    rejection_publish(actor=reporter, report=rejected, category="invalid")
    with pytest.raises(Conflict):
        rejection_publish(actor=reporter, report=rejected, category="invalid")


def test_a_report_that_is_not_rejected_is_refused(case, reporter):
    with pytest.raises(Conflict):
        rejection_publish(actor=reporter, report=case.reports.get(), category="invalid")
