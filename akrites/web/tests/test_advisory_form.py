"""The advisory form's pure mapping: content ↔ form values ↔ service changes, error fields."""

from django.http import QueryDict

from akrites.disclosure.tests.conftest import CONTENT
from akrites.web import advisory_form as form


def _post(**data):
    query = QueryDict(mutable=True)
    query.update(data)
    return query


def test_stored_content_round_trips_through_the_form():
    values = form.values_from_content(CONTENT)
    assert values["affected"][0]["fixed"] == "1.2.3" and values["cwes"] == "CWE-776"
    changes = form.changes_from_values(values, CONTENT)
    assert changes["affected"] == CONTENT["affected"]
    assert changes["credits"] == CONTENT["credits"]
    assert changes["cvss"] == CONTENT["cvss"] and changes["references"] == CONTENT["references"]


def test_blank_package_rows_are_dropped_and_errors_point_at_the_row_shown():
    post = _post(
        **{
            "affected-0-purl": "",
            "affected-0-vers": "",
            "affected-0-fixed": "",
            "affected-1-purl": "pkg:npm/left-pad",
            "affected-1-vers": "bad",
            "affected-1-fixed": "",
        }
    )
    values = form.values_from_post(post)
    assert [r["purl"] for r in values["affected"]] == ["pkg:npm/left-pad"]
    assert form.field_for("affected[0].vers", values) == "affected-0-vers"
    assert form.field_for("affected[0].git[0].repo", values) == "affected-0-purl"
    assert form.field_for("affected", values) == "affected-0-vers"


def test_list_fields_split_as_labelled_and_unknown_paths_fall_back():
    values = {**form.values_from_content({}), "cwes": "CWE-79, CWE-89 CWE-20", "credits": "A B\nC"}
    changes = form.changes_from_values(values, {})
    assert changes["cwes"] == ["CWE-79", "CWE-89", "CWE-20"]
    assert changes["credits"] == [
        {"name": "A B", "type": "FINDER"},
        {"name": "C", "type": "FINDER"},
    ]
    assert form.field_for("cwes[1]", values) == "cwes"
    assert form.field_for("content", values) == "summary"
