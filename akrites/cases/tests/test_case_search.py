"""Case lists: search by identifiers, keyset pages, visibility inside."""

import pytest

from akrites.cases.selectors import case_list
from akrites.cases.services import case_create
from akrites.core.errors import NotFound
from akrites.intake.services import report_create


def test_search_finds_cases_by_case_report_package_and_project(sirt, case, other_case, reporter):
    report = case.reports.get()
    assert case_list(viewer=sirt, q=case.human_id.lower()) == [case]
    assert case_list(viewer=sirt, q=report.public_id) == [case]
    assert case_list(viewer=sirt, q="pkg:pypi/yamlkit") == [case]
    assert case_list(viewer=sirt, q=other_case.project.slug) == [other_case]
    assert case_list(viewer=sirt, q=other_case.project.name[2:].upper()) == [other_case]
    assert case_list(viewer=sirt, q="CVE-2099-0001") == []
    # Titles are encrypted at rest: a word of a title finds nothing (no decrypt-and-scan).
    assert case_list(viewer=sirt, q="laughs") == []


def test_search_never_widens_what_the_viewer_may_see(reporter, case, other_case):
    assert case_list(viewer=reporter, q=other_case.human_id) == []
    assert case_list(viewer=reporter, q=other_case.project.slug) == []
    assert case_list(viewer=reporter, q=case.human_id) == [case]


def test_pages_go_back_in_time_and_a_hidden_cursor_is_not_found(
    sirt, system, project, reporter, other_case
):
    made = [case_create(actor=system, project=project, title=f"Bug {i}") for i in range(5)]
    newest = case_list(viewer=sirt, q=project.slug, limit=2)
    assert newest == made[::-1][:2]
    older = case_list(viewer=sirt, q=project.slug, limit=2, before=newest[-1].human_id)
    assert older == made[::-1][2:4]
    with pytest.raises(NotFound):
        case_list(viewer=reporter, before=other_case.human_id)
    mine = report_create(actor=reporter, title="x", body="y", purl="pkg:pypi/yamlkit").case
    assert case_list(viewer=reporter, before=mine.human_id) == []


def test_api_lists_search_and_pages(client, sirt, project, system, login):
    made = [case_create(actor=system, project=project, title=f"Bug {i}") for i in range(3)]
    login(sirt)
    first = client.get("/api/v1/cases", {"q": project.slug, "limit": 2}).json()
    assert [c["id"] for c in first] == [made[2].human_id, made[1].human_id]
    rest = client.get("/api/v1/cases", {"q": project.slug, "before": first[-1]["id"]}).json()
    assert [c["id"] for c in rest] == [made[0].human_id]
    assert client.get("/api/v1/cases", {"before": "AKR-1999-00001"}).status_code == 404
