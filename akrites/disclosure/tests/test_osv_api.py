"""The OSV-compatible API, with osv.dev's documented examples adapted to local data
(https://google.github.io/osv.dev/post-v1-query/, /post-v1-querybatch/, /get-v1-vulns/)."""

import json

import pytest

COMMIT = "a" * 40


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_query_by_package_and_version(client, published):
    # osv.dev: {"version": "2.4.1", "package": {"name": "jinja2", "ecosystem": "PyPI"}}
    response = _post(
        client, "/v1/query", {"version": "1.1", "package": {"name": "yamlkit", "ecosystem": "PyPI"}}
    )
    assert response.status_code == 200
    (vuln,) = response.json()["vulns"]
    assert vuln["id"] == published.osv_id
    assert vuln == client.get(f"/v1/vulns/{published.osv_id}").json()


def test_query_by_purl(client, published):
    # osv.dev: {"package": {"purl": "pkg:pypi/jinja2@2.4.1"}}
    response = _post(client, "/v1/query", {"package": {"purl": "pkg:pypi/yamlkit@1.1"}})
    assert [v["id"] for v in response.json()["vulns"]] == [published.osv_id]


def test_query_by_commit(client, published):
    # osv.dev: {"commit": "6879efc2c1596d11a6a6ad296f80063b558d5e0f"}
    response = _post(client, "/v1/query", {"commit": COMMIT})
    assert [v["id"] for v in response.json()["vulns"]] == [published.osv_id]


def test_query_without_version_lists_every_advisory_of_the_package(client, published):
    response = _post(client, "/v1/query", {"package": {"ecosystem": "PyPI", "name": "YamlKit"}})
    assert len(response.json()["vulns"]) == 1


@pytest.mark.parametrize("version", ["0.9", "1.2.3", "2.0"])
def test_unaffected_versions_answer_an_empty_object(client, published, version):
    response = _post(client, "/v1/query", {"package": {"purl": f"pkg:pypi/yamlkit@{version}"}})
    assert response.status_code == 200 and response.json() == {}


def test_querybatch(client, published):
    # osv.dev: {"queries": [{"package": {"purl": "pkg:pypi/antlr4-python3-runtime@4.7.2"}},
    #                       {"commit": "6879efc2c1596d11a6a6ad296f80063b558d5e0f"}, …]}
    body = {
        "queries": [
            {"package": {"purl": "pkg:pypi/yamlkit@1.0"}},
            {"commit": COMMIT},
            {"package": {"ecosystem": "PyPI", "name": "yamlkit"}, "version": "1.2.3"},
        ]
    }
    results = _post(client, "/v1/querybatch", body).json()["results"]
    modified = published.modified_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    expected = {"vulns": [{"id": published.osv_id, "modified": modified}]}
    assert results == [expected, expected, {}]


def test_vulns_by_id(client, published):
    # osv.dev: GET /v1/vulns/OSV-2020-111
    record = client.get(f"/v1/vulns/{published.osv_id}").json()
    assert record["id"] == published.osv_id and record["schema_version"] == "1.7.0"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"package": {"ecosystem": "Nonesuch", "name": "x"}, "version": "1.0"},
            "package.ecosystem",
        ),
        (
            {"package": {"ecosystem": "PyPI", "name": "yamlkit"}, "version": "not a version!"},
            "version",
        ),
        ({"package": {"purl": "pkg:pypi/yamlkit@1.0"}, "version": "1.0"}, "version"),
        ({"package": {"purl": "not-a-purl"}}, "package.purl"),
        ({"commit": "abc"}, "commit"),
        ({"version": "1.0"}, "package"),
        ([], "query"),
    ],
)
def test_bad_queries_are_clear_400s(client, db, body, field):
    response = _post(client, "/v1/query", body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == 3 and answer["error"]["field"] == field
    assert field in answer["message"]


def test_bad_batch_names_the_query(client, db):
    body = {"queries": [{"commit": COMMIT}, {"package": {"ecosystem": "Nope", "name": "x"}}]}
    response = _post(client, "/v1/querybatch", body)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "queries[1].package.ecosystem"


def test_not_json_is_400(client, db):
    response = client.post("/v1/query", b"{nope", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "body"


def test_unknown_vuln_is_404(client, db):
    response = client.get("/v1/vulns/x_AKRITES-1999-00001")
    assert response.status_code == 404 and response.json()["code"] == 5


def test_drafts_are_not_served(client, draft):
    assert _post(client, "/v1/query", {"package": {"purl": "pkg:pypi/yamlkit@1.1"}}).json() == {}
    assert _post(client, "/v1/query", {"commit": COMMIT}).json() == {}
