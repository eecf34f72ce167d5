"""The embargo end per case — the one stored "may be public at" — for one case or many, and
no other app reading the embargo rows itself."""

import ast
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from akrites.access.tests.conftest import move, weekday_in
from akrites.cases.models import Case, Status
from akrites.cases.services import case_create, case_transition
from akrites.confidentiality.ends import (
    agreed_ends,
    agreed_ends_reached,
    default_embargo,
    embargo_end,
    embargo_ends,
    embargo_start,
)
from akrites.confidentiality.services import (
    embargo_decide_extension,
    embargo_request_extension,
    embargo_set_date,
)
from akrites.core import layering
from akrites.core.clock import now


def _cases(n, project, system, sirt, maintainer, upto):
    cases = []
    for i in range(n):
        case = case_create(actor=system, project=project, title=f"t{i}")
        cases.append(move(case, sirt, maintainer, upto) if upto else case)
    return cases


def test_the_embargo_starts_when_the_maintainers_were_notified(notified):
    entry = notified.timeline.get(new_status=Status.NOTIFIED)
    assert embargo_start(notified) == notified.maintainers_notified_at == entry.at


def test_a_case_disclosed_before_anyone_notified_the_maintainers_had_no_embargo(case, sirt):
    """The maintainers were told by the disclosure (``maintainers_notified_at``), but no embargo
    ran: the embargo start is the first notification, not the first telling."""
    case = case_transition(actor=sirt, case=case, name="accept")
    case = case_transition(actor=sirt, case=case, name="break_embargo", reason="exploited")
    assert case.maintainers_notified_at is not None
    assert embargo_start(case) is None and default_embargo(case) is None
    assert embargo_end(case) is None


def test_a_case_disclosed_after_notification_keeps_its_default(notified, sirt):
    case = case_transition(actor=sirt, case=notified, name="break_embargo", reason="leak")
    assert embargo_start(case) == notified.maintainers_notified_at


def test_one_case_and_many_get_the_same_end(project, system, sirt, maintainer):
    told = _cases(2, project, system, sirt, maintainer, "notify_maintainers")
    embargo_set_date(actor=maintainer, case=told[1], ends_at=weekday_in(14))
    untold = _cases(1, project, system, sirt, maintainer, "accept")
    ends = embargo_ends([*told, *untold])
    assert ends == {c.pk: embargo_end(c) for c in [*told, *untold]}
    assert ends[told[0].pk] == default_embargo(told[0]).ends_at
    assert ends[told[1].pk] == weekday_in(14)
    assert ends[untold[0].pk] is None


def test_the_ends_of_many_cases_cost_one_query(project, system, sirt, maintainer):
    def cost(cases):
        with CaptureQueriesContext(connection) as ctx:
            embargo_ends(cases)
        return len(ctx.captured_queries)

    few = _cases(2, project, system, sirt, maintainer, "notify_maintainers")
    many = few + _cases(6, project, system, sirt, maintainer, "notify_maintainers")
    embargo_set_date(actor=maintainer, case=many[3], ends_at=weekday_in(14))
    fresh = [Case.objects.get(pk=c.pk) for c in many]
    assert cost(fresh[:2]) == cost(fresh) == 1


def test_an_agreed_end_is_one_someone_chose(notified, sirt, maintainer):
    assert agreed_ends([notified.pk]) == {}  # the policy default is not agreed
    change = embargo_request_extension(
        actor=maintainer, case=notified, until=weekday_in(120), reason="r"
    )
    embargo_decide_extension(actor=sirt, change=change, approve=True)
    assert agreed_ends([notified.pk]) == {}
    embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(20))
    assert agreed_ends([notified.pk]) == {notified.pk: weekday_in(20)}
    statuses = {Status.NOTIFIED}
    assert agreed_ends_reached(at=now(), statuses=statuses) == []
    later = weekday_in(20) + timedelta(minutes=1)
    assert agreed_ends_reached(at=later, statuses=statuses) == [notified.pk]
    assert agreed_ends_reached(at=later, statuses={Status.FIXING}) == []


def test_no_other_app_reads_the_embargo_rows():
    """Everyone asks ``confidentiality.ends`` (or its selectors and services)."""
    found = []
    for path in sorted(layering.PACKAGE.rglob("*.py")):
        rel = path.relative_to(layering.PACKAGE)
        if rel.parts[0] == "confidentiality" or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "akrites.confidentiality.models":
                names = {a.name for a in node.names} & {"Embargo", "EmbargoChange"}
                found += [f"{rel}:{node.lineno} {name}" for name in sorted(names)]
    assert not found, "ask akrites.confidentiality.ends instead:\n" + "\n".join(found)
