"""The acknowledgement clock and "dates set", owned by remediation, for one case or many."""

import ast
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from akrites.cases.models import Case
from akrites.cases.services import case_create
from akrites.confidentiality.services import embargo_set_date
from akrites.core import clock, layering
from akrites.remediation.clocks import (
    acknowledge_clocks,
    acknowledge_due,
    dates_set,
    last_notified,
)
from akrites.remediation.services import remediation_set_dates
from akrites.remediation.tests.conftest import move_to

T0 = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # a Friday: two business days is Tuesday


@pytest.fixture(autouse=True)
def _friday():
    with clock.frozen(T0):
        yield


def test_the_clock_is_due_two_business_days_after_the_latest_notification(notified, system):
    (state,) = acknowledge_clocks([notified], at=T0).values()
    assert (state.started_at, state.due_at, state.met_at) == (T0, T0 + timedelta(days=4), None)
    assert acknowledge_due(T0) == state.due_at and last_notified(notified) == T0
    clock.advance(timedelta(days=1))
    acked = move_to(notified, "acknowledge", actor=system)
    assert acknowledge_clocks([acked], at=clock.now())[acked.pk].met_at == clock.now()
    clock.advance(timedelta(days=10))
    again = move_to(acked, "dispute", "resume", "notify_maintainers", actor=system)
    state = acknowledge_clocks([again], at=clock.now())[again.pk]
    assert (state.started_at, state.met_at) == (clock.now(), None)  # a new notification


def test_no_clock_before_the_maintainers_are_notified(case):
    assert acknowledge_clocks([case], at=T0) == {}


def test_the_clocks_and_dates_of_many_cases_cost_one_query_each(project, system):
    def cost(cases):
        with CaptureQueriesContext(connection) as ctx:
            clocks = acknowledge_clocks(cases, at=T0)
            assert dates_set(cases) == set()
        assert set(clocks) == {c.pk for c in cases}
        return len(ctx.captured_queries)

    cases = []
    for i in range(6):
        case = case_create(actor=system, project=project, title=f"t{i}")
        cases.append(move_to(case, "accept", "notify_maintainers", actor=system))
    fresh = [Case.objects.get(pk=c.pk) for c in cases]
    assert cost(fresh[:2]) == cost(fresh) == 2


def test_dates_are_set_by_a_target_fix_date_or_a_chosen_embargo_end(
    notified, project, maintainer, system
):
    other = case_create(actor=system, project=project, title="another")
    other = move_to(other, "accept", "notify_maintainers", actor=system)
    assert dates_set([notified, other]) == set()
    remediation_set_dates(
        actor=maintainer, case=notified, target_fix_on=(T0 + timedelta(days=3)).date()
    )
    assert dates_set([notified, other]) == {notified.pk}
    # The date chosen on the embargo page is the agreed disclosure instant too.
    embargo_set_date(actor=maintainer, case=other, ends_at=T0 + timedelta(days=14))
    assert dates_set([notified, other]) == {notified.pk, other.pk}


def test_only_remediation_reads_its_records():
    """Faces ask ``remediation.clocks`` and its selectors, never the rows."""
    found = []
    for path in sorted(layering.PACKAGE.rglob("*.py")):
        rel = path.relative_to(layering.PACKAGE)
        if rel.parts[0] == "remediation" or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.module != "akrites.remediation.models":
                continue
            if "CaseRemediation" in {a.name for a in node.names}:
                found.append(f"{rel}:{node.lineno}")
    assert not found, "ask akrites.remediation.clocks instead:\n" + "\n".join(found)
