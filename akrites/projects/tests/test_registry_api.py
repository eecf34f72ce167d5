"""Registry API and pages: SIRT only; security files flagged, not refused."""

import json

import pytest

from akrites.projects.models import Project, SecurityFile


def _post(client, url, body, method="POST"):
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def test_sirt_lists_and_reads_the_registry(client, project, sirt):
    client.force_login(sirt)
    assert [p["slug"] for p in client.get("/api/v1/projects").json()] == ["yamlkit"]
    body = client.get("/api/v1/projects/yamlkit").json()
    assert body["packages"] == ["pkg:pypi/yamlkit"] and body["team"] == "project_team-org"
    page = client.get("/registry/yamlkit/").content.decode()
    assert "pkg:pypi/yamlkit" in page and "contributor_count" in page
    assert "yamlkit" in client.get("/registry/").content.decode()


def test_security_file_upload_flags_problems(client, project, sirt):
    client.force_login(sirt)
    url = "/api/v1/projects/yamlkit/security-files"
    body = _post(client, url, {"kind": "security_txt", "content": "Contact: nope\n"}).json()
    (record,) = body["security_files"]
    assert record["status"] == "invalid"
    assert {p["field"] for p in record["problems"]} >= {"line 1", "no_expire"}
    assert body["contacts"][0]["status"] == "invalid"
    bad = _post(client, url, {"kind": "robots_txt", "content": "x"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "kind"


def test_put_registers_a_project_and_reports_every_bad_field(client, sirt, db):
    client.force_login(sirt)
    ok = _post(
        client, "/api/v1/projects/newkit", {"name": "Newkit", "purls": ["pkg:gem/newkit"]}, "PUT"
    )
    assert ok.status_code == 200 and ok.json()["packages"] == ["pkg:gem/newkit"]
    bad = _post(
        client,
        "/api/v1/projects/badkit",
        {"name": "Badkit", "repository_url": "javascript:alert(1)", "criticality": {"stars": 1}},
        "PUT",
    )
    assert bad.status_code == 422
    fields = {p["field"] for p in bad.json()["error"]["problems"]}
    assert fields == {"repository_url", "criticality.stars"}
    assert not Project.objects.filter(slug="badkit").exists()


@pytest.mark.parametrize("who", ["outsider", "maintainer", "reporter"])
def test_registry_is_404_for_everyone_but_the_sirt(
    client, project, outsider, maintainer, reporter, who
):
    client.force_login({"outsider": outsider, "maintainer": maintainer, "reporter": reporter}[who])
    for method, url in [
        ("GET", "/api/v1/projects"),
        ("GET", "/api/v1/projects/yamlkit"),
        ("PUT", "/api/v1/projects/yamlkit"),
        ("POST", "/api/v1/projects/yamlkit/security-files"),
        ("GET", "/api/v1/projects/nope"),
    ]:
        response = _post(client, url, {"kind": "security_txt", "content": "x"}, method)
        assert response.status_code == 404, (method, url)
    assert client.get("/registry/yamlkit/").status_code == 404
    assert client.get("/registry/").status_code == 404
    assert not SecurityFile.objects.exists()
