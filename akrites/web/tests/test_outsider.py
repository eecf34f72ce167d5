"""Every URL and API operation that names an object answers 404 to an outsider.

URLs are enumerated from the URL conf and the OpenAPI document, not from a hand list, so a
new route with an object parameter is covered the day it is added.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from akrites.accounts.tokens import token_issue
from akrites.api.main import api
from akrites.cases.models import Case, TimelineEntry
from akrites.remediation.tests.factories import a_patch_id

OBJECT_PARAMS = {"case_id", "report_id", "secret", "prefix", "project_slug", "patch_id"}


def _web_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("api/", "admin/")):
                continue
            yield from _web_patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _fill(route, values):
    # Parameters that name no object (an operation, a sub-id) get a harmless filler.
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), route)


def web_object_routes():
    return [r for r in _web_patterns() if set(re.findall(r"<(?:\w+:)?(\w+)>", r)) & OBJECT_PARAMS]


def api_object_operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    ops = []
    for path, methods in schema["paths"].items():
        if set(re.findall(r"{(\w+)}", path)) & OBJECT_PARAMS:
            ops.extend((method.upper(), path) for method in methods)
    return ops


def test_enumeration_finds_routes():
    assert web_object_routes() and api_object_operations()


@pytest.mark.parametrize("who", ["outsider", "other_maintainer"])
def test_every_object_url_is_404_and_changes_nothing(
    client, case, outsider, other_project, system, who
):
    from akrites.orgs.services import membership_add

    user = outsider
    if who == "other_maintainer":
        membership_add(actor=system, org=other_project.team, user=outsider, role="maintainer")
    client.force_login(user)
    patch_id = a_patch_id(case)
    before = (Case.objects.get(pk=case.pk).status, TimelineEntry.objects.count())
    missing_bodies = {}
    report = case.reports.get()
    token = token_issue(actor=system, user=case.reports.get().reporter, name="t", scopes=["read"])
    real = {
        "case_id": case.human_id,
        "report_id": report.public_id,
        "secret": "s3cr3t",
        "prefix": token.token.prefix,
        "project_slug": case.project.slug,
        "patch_id": patch_id,
    }
    fake = {
        "case_id": "AKR-1999-99999",
        "report_id": "RPT-0000",
        "secret": "nope",
        "prefix": "ffff",
        "project_slug": "no-such-project",
        "patch_id": "PAT-000000000000",
    }
    for values in (real, fake):
        for route in web_object_routes():
            url = _fill(route, values)
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"name": "accept", "reason": "x"})
                assert response.status_code in (404, 405), (method, url, response.status_code)
                if response.status_code == 404:
                    body = re.sub(
                        rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content
                    )
                    missing_bodies.setdefault((method, route), set()).add(body)
        for method, path in api_object_operations():
            url = re.sub(r"{(\w+)}", lambda m, v=values: v.get(m.group(1), "1"), path)
            response = client.generic(
                method, url, '{"name": "accept"}', content_type="application/json"
            )
            assert response.status_code == 404, (method, url, response.status_code)
            assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}
    # "Missing" and "forbidden" are indistinguishable.
    for bodies in missing_bodies.values():
        assert len(bodies) == 1
    assert (Case.objects.get(pk=case.pk).status, TimelineEntry.objects.count()) == before


def test_anonymous_is_sent_to_login_or_401(client, case):
    response = client.get(f"/cases/{case.human_id}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get(f"/api/v1/cases/{case.human_id}").status_code == 401
