"""Reads of reports: a viewer sees their own and nothing of anyone else's."""

import pytest

from akrites.cases.tests.triage_cast import send
from akrites.core.errors import PermissionDenied
from akrites.intake.models import Report
from akrites.intake.selectors import report_list_own


def test_a_reporter_lists_their_own_reports(project, reporter, system):
    send(system, "unattributed finding")
    send(reporter, "their finding")
    assert [r.title for r in report_list_own(viewer=reporter)] == ["their finding"]


def test_a_host_has_no_reports_of_its_own_not_even_the_unattributed_ones(project, system):
    """A report with no reporter (anonymous, or imported by a host) is nobody's own: a viewer
    without an account must not match it by its empty reporter."""
    send(system, "unattributed finding")
    assert Report.objects.filter(reporter__isnull=True).count() == 1
    with pytest.raises(PermissionDenied):
        report_list_own(viewer=system)
