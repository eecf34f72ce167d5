"""Query-count budgets: an ingest batch and list pages cost a fixed number of queries,
whatever the number of rows. Each budget is asserted at two sizes (so a query per row is
caught even below the budget) and against an absolute ceiling."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from akrites.accounts.tokens import token_issue
from akrites.cases.models import Case, Status
from akrites.cases.services import case_transition
from akrites.core.actors import SystemActor

BULK_BUDGET = 40  # queries for a 50-report bulk request, everything included (measured: 28-30)
LIST_BUDGET = 25  # queries for a list page (API or HTML), whatever the number of rows
# A first batch or page may set up a row a later one finds (a rate window, a session):
# a couple of queries either way, never one per row.
SLACK = 2


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.AKRITES_RATE_PER_IDENTITY = 10**9
    settings.AKRITES_RATE_GLOBAL = 10**9


WORDS = [
    "anchor",
    "scalar",
    "merge",
    "tag",
    "alias",
    "flow",
    "block",
    "emitter",
    "reader",
    "scanner",
    "composer",
    "resolver",
    "constructor",
    "representer",
    "dumper",
    "loader",
]
CWES = ["CWE-776", "CWE-79", "CWE-125", "CWE-787", "CWE-400", "CWE-22", "CWE-502", "CWE-94"]


def _doc(i: int) -> dict:
    # Distinct enough that de-duplication opens a case per report: the lists must grow.
    a, b, c = WORDS[i % 16], WORDS[(i // 16) % 16], WORDS[(i // 256) % 16]
    return {
        "format": "akrites-report/1",
        "title": f"{a} {b} {c} fault #{i}",
        "description": f"The {a} in {b}_{c}_{i}.py mishandles input {i}.",
        "package": {"purl": "pkg:pypi/yamlkit", "affected": "vers:pypi/<2"},
        "cwe": [CWES[i % len(CWES)]],
        "locations": [{"file": f"yamlkit/{a}_{b}_{i}.py", "function": f"{c}_{i}", "line": i + 1}],
    }


def _bulk(client, token: str, n: int, offset: int = 0):
    body = "\n".join(json.dumps(_doc(offset + i)) for i in range(n))
    return client.post(
        "/api/v1/reports/bulk",
        data=body,
        content_type="application/x-ndjson",
        headers={"Authorization": f"Bearer {token}"},
    )


def _notify_for(who: str) -> None:
    """Maintainers see cases once the SIRT has notified them: notify every case in triage."""
    if who != "maintainer":
        return
    system = SystemActor("budget")
    for case in Case.objects.filter(status=Status.TRIAGE):
        for step in ("accept", "notify_maintainers"):
            case = case_transition(actor=system, case=case, name=step)


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.fixture
def tokens(system, reporter, sirt, maintainer, project):
    def issue(user):
        return token_issue(actor=system, user=user, name="budget", scopes=["read", "submit"]).secret

    return {"reporter": issue(reporter), "sirt": issue(sirt), "maintainer": issue(maintainer)}


def test_bulk_ingest_costs_a_fixed_number_of_queries(client, tokens, django_assert_max_num_queries):
    _bulk(client, tokens["reporter"], 5, offset=1000)  # first-batch set-up out of the way
    with django_assert_max_num_queries(BULK_BUDGET):
        response = _bulk(client, tokens["reporter"], 50)
    assert response.status_code == 200 and response.json()["accepted"] == 50
    fifty = _queries(lambda: _bulk(client, tokens["reporter"], 50, offset=2000))
    hundred = _queries(lambda: _bulk(client, tokens["reporter"], 100, offset=3000))
    # Bulk inserts are chunked by the database's parameter limit (cases, reports, entries,
    # postings each), so a larger batch costs a few more statements: on SQLite 4 to 6 for these
    # 50 more reports, depending on how many of them open a case. Never one per report.
    assert hundred - fifty <= 50 // 5, f"50 reports: {fifty} queries, 100 reports: {hundred}"


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("sirt", "/api/v1/cases"),
        ("maintainer", "/api/v1/cases"),
        ("reporter", "/api/v1/reports"),
    ],
)
def test_api_list_pages_cost_the_same_for_few_and_many_rows(
    client, tokens, who, path, django_assert_max_num_queries
):
    auth = {"Authorization": f"Bearer {tokens[who]}"}
    _bulk(client, tokens["reporter"], 3)
    _notify_for(who)
    few = _queries(lambda: client.get(path, headers=auth))
    _bulk(client, tokens["reporter"], 40, offset=100)
    _notify_for(who)
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(path, headers=auth)
    assert response.status_code == 200 and len(response.json()) >= 20
    many = _queries(lambda: client.get(path, headers=auth))
    assert many <= few + SLACK, f"{few} queries for 3 rows, {many} for 43"


@pytest.mark.parametrize(
    ("who", "path"),
    [("sirt", "/sirt/queue/"), ("maintainer", "/inbox/"), ("reporter", "/my/reports/")],
)
def test_html_list_pages_cost_the_same_for_few_and_many_rows(
    client, tokens, request, who, path, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(who))
    _bulk(client, tokens["reporter"], 3)
    _notify_for(who)
    client.get(path)  # warm per-session caches (session, CSRF) out of the comparison
    few = _queries(lambda: client.get(path))
    _bulk(client, tokens["reporter"], 40, offset=100)
    _notify_for(who)
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(path)
    assert response.status_code == 200
    many = _queries(lambda: client.get(path))
    assert many <= few + SLACK, f"{few} queries for 3 rows, {many} for 43"
