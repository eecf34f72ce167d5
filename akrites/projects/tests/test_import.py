"""``akrites import-projects``: CSV and JSON, per-row errors, good rows kept, nothing half
stored."""

import json

import pytest
from django.core.management import CommandError, call_command

from akrites.projects.models import Package, Project, ProjectContact, SecurityFile

HEADER = (
    "slug,name,team,repository_url,purls,maintainers,last_commit_at,last_release_at,"
    "maintainer_response_days,signals_source,criticality.contributor_count,"
    "criticality.org_count,security_txt_path,security_md_path\n"
)
SECTXT = b"Contact: mailto:security@parsley.dev\nExpires: 2099-01-01T00:00:00Z\n"


def _run(path, capsys):
    try:
        call_command("import_projects", str(path))
        failed = None
    except CommandError as exc:
        failed = str(exc)
    out = capsys.readouterr()
    return failed, out.out, out.err


def test_csv_import_keeps_good_rows_and_reports_bad_fields(tmp_path, capsys, orgs, maintainer):
    (tmp_path / "parsley.txt").write_bytes(SECTXT)
    (tmp_path / "SECURITY.md").write_text("Write to sec@toml.dev\n")
    rows = [
        "parsley,Parsley,project_team-org,https://github.com/p/parsley,"
        "pkg:pypi/parsley pkg:npm/parsley,maintainer;m@parsley.dev,2026-10-01,"
        "2026-09-01T12:00:00Z,3.5,deps.dev 2026-10,100,3,parsley.txt,",
        "tomlette,Tomlette,,https://github.com/t/tomlette,pkg:cargo/tomlette,,,,,,,,,SECURITY.md",
        # bad: four fields wrong at once; none of this row may be stored
        "broken,Broken,,ftp://x,pkg:nonsense,,yesterday,,-2,,many,,,",
        # bad: the package belongs to parsley already (found only when storing)
        "thief,Thief,,,pkg:pypi/parsley pkg:pypi/thief-only,,,,,,,,,",
        # bad: unknown team
        "orphan,Orphan,no-such-team,,,,,,,,,,,",
    ]
    path = tmp_path / "projects.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    failed, out, err = _run(path, capsys)
    assert failed == "3 of 5 rows were not imported"
    assert "2 created, 0 updated, 3 rows refused" in out
    assert "5/5" in err  # the progress bar ran to the end
    lines = [line for line in err.splitlines() if line.startswith("row ")]
    assert "row 3 (broken): repository_url: not an http(s) URL" in lines
    assert any(line.startswith("row 3 (broken): purls:") for line in lines)
    assert "row 3 (broken): last_commit_at: not an ISO 8601 date or date-time" in lines
    assert "row 3 (broken): maintainer_response_days: must be a number of days ≥ 0" in lines
    assert "row 3 (broken): criticality.contributor_count: must be a number" in lines
    assert "row 4 (thief): purls: pkg:pypi/parsley is registered to another project" in lines
    assert "row 5 (orphan): team: no project-team organisation with this slug" in lines
    assert set(Project.objects.values_list("slug", flat=True)) == {"parsley", "tomlette"}
    assert not Package.objects.filter(purl="pkg:pypi/thief-only").exists()

    parsley = Project.objects.get(slug="parsley")
    assert parsley.team.slug == "project_team-org"
    assert parsley.maintainer_response_days == 3.5 and parsley.signals_source == "deps.dev 2026-10"
    assert parsley.criticality_inputs == {"contributor_count": 100.0, "org_count": 3.0}
    assert parsley.criticality_score is not None
    assert sorted(parsley.packages.values_list("purl", flat=True)) == [
        "pkg:npm/parsley",
        "pkg:pypi/parsley",
    ]
    contacts = {
        (c.role, c.address, c.user_id) for c in ProjectContact.objects.filter(project=parsley)
    }
    assert contacts == {
        ("maintainer", "", maintainer.pk),
        ("maintainer", "mailto:m@parsley.dev", None),
        ("security", "mailto:security@parsley.dev", None),
    }
    assert SecurityFile.objects.get(project__slug="tomlette").status == "valid"


def test_json_import_and_reimport_updates(tmp_path, capsys, db):
    doc = {
        "projects": [
            {
                "slug": "yamlish",
                "name": "Yamlish",
                "purls": ["pkg:pypi/yamlish"],
                "criticality": {"contributor_count": 5000, "updated_since": 0},
                "security_txt": "Contact: mailto:a@yamlish.org\nExpires: 2020-01-01T00:00:00Z\n",
            },
            "not an object",
        ]
    }
    path = tmp_path / "projects.json"
    path.write_text(json.dumps(doc))
    failed, out, err = _run(path, capsys)
    assert failed and "row 2: row: not an object" in err
    project = Project.objects.get(slug="yamlish")
    assert project.criticality_score == 1.0
    assert SecurityFile.objects.get(project=project).status == "expired"
    assert ProjectContact.objects.get(project=project).status == "expired"
    doc["projects"] = [{"slug": "yamlish", "repository_url": "https://git.example/yamlish"}]
    path.write_text(json.dumps(doc))
    failed, out, _ = _run(path, capsys)
    assert failed is None and "0 created, 1 updated" in out
    project.refresh_from_db()
    assert project.repository_url == "https://git.example/yamlish"
    assert project.criticality_score == 1.0  # absent fields are left as they were


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("p.json", "{not json", "not JSON"),
        ("p.json", '{"projects": 5}', "expected an array"),
        ("p.csv", "a,b\n1,2\n", "header line with slug or name"),
        ("p.csv", b"\xff\xfe", "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused_whole(tmp_path, capsys, db, name, content, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    failed, _, _ = _run(path, capsys)
    assert failed and message in failed
    assert not Project.objects.exists()


def test_a_row_cannot_read_files_outside_the_import_directory(tmp_path, capsys, db):
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"slug": "x", "name": "X", "security_md_path": "/etc/passwd"}]))
    failed, _, err = _run(path, capsys)
    assert failed and "security_md_path: no such file next to the import file" in err
    assert not Project.objects.exists()


def test_the_cli_names_the_command():
    from akrites_cli.main import OPERATOR_COMMANDS

    assert OPERATOR_COMMANDS["import-projects"] == ["import_projects"]
