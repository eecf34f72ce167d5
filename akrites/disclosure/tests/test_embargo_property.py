"""The embargo property: whatever mix of cases is published or withheld, no public endpoint
shows anything of a case that is not published.

Thirty cases with seeded random outcomes — published (embargo lifted early by two people),
withheld under embargo (approved for the embargo end), or disclosed by ``break_embargo`` with
a draft nobody approved (the worker must not publish it) — each with
its own markers in every field (title, details, package, credit, reference, commit, CVE id).
Then every public route (pages, search, feeds, CSAF provider files, documents, the OSV API,
security.txt) is fetched, and the bodies are scanned. The route list is checked against the
URL conf, so a new public route that the scan forgets fails the test.
"""

import json
import random

import pytest
from django.urls import resolve

from akrites.cases.services import case_create, case_transition
from akrites.confidentiality.services.embargo import embargo_lift_approve, embargo_lift_propose
from akrites.core.errors import Conflict
from akrites.disclosure import urls as disclosure_urls
from akrites.disclosure.cna.local import LocalBlock
from akrites.disclosure.services import advisory_reserve_cve, publish_due
from akrites.disclosure.tests.conftest import approve, make_draft, make_ready
from akrites.projects.services import package_add, project_create

SEED = 20260301
N = 30


def _content(token, index):
    commit = f"{index:02d}" + "c" * 38
    return {
        "summary": f"Overflow {token} in parser",
        "details": f"Secret details {token}.",
        "affected": [
            {
                "purl": f"pkg:pypi/pkg-{token}",
                "vers": "vers:pypi/>=1.0|<2.0",
                "fixed": ["2.0"],
                "git": [
                    {"repo": f"https://example.com/{token}.git", "events": [{"introduced": commit}]}
                ],
            }
        ],
        "cvss": ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"],
        "cwes": ["CWE-787"],
        "references": [f"https://example.com/{token}/issue"],
        "credits": [{"name": f"Finder {token}"}],
    }, commit


def _make_cases(orgs, system, sirt, maintainer):
    rng = random.Random(SEED)
    block = LocalBlock(ids=[f"CVE-2026-{60000 + i}" for i in range(N)])
    cases = []
    for i in range(N):
        token = f"zzm{i:02d}q"
        project = project_create(actor=system, name=f"proj-{token}", team=orgs["project_team"])
        package = package_add(actor=system, project=project, purl=f"pkg:pypi/pkg-{token}")
        case = case_create(actor=system, project=project, title=f"Title {token}", package=package)
        make_ready(case, system)
        content, commit = _content(token, i)
        advisory = make_draft(case, system, content)
        advisory = advisory_reserve_cve(actor=sirt, advisory=advisory, backend=block)
        outcome = rng.choice(["published", "withheld", "broken"])
        if outcome == "published":
            change = embargo_lift_propose(actor=maintainer, case=case, reason="fixed")
            embargo_lift_approve(actor=sirt, change=change)
            approve(case, sirt, "now", block)
        elif outcome == "broken":
            case_transition(actor=sirt, case=case, name="break_embargo", reason="leak")
        else:
            with pytest.raises(Conflict):
                approve(case, sirt, "now", block)
            approve(case, sirt, "at_instant", block)  # approved, but not yet due
        markers = [token, commit, advisory.cve_id]
        cases.append((outcome, markers, f"pkg:pypi/pkg-{token}", commit))
    return cases


def _scan(client, cases):
    from akrites.disclosure.models import PublicAdvisory, PublishedDocument

    bodies, hit = [], set()

    def get(path, **extra):
        response = client.get(path, **extra)
        assert response.status_code in (200, 404), (path, response.status_code)
        if response.status_code == 200:
            hit.add(resolve(path.split("?")[0]).url_name)
        body = response.content.decode("utf-8", "replace")
        if "?q=" in path:  # the search page echoes the query itself: not a leak
            query = path.split("?q=", 1)[1]
            body = body.replace(f'value="{query}"', "").replace(f"“{query}”", "")
        bodies.append(body)
        return response

    def post(path, body):
        response = client.post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 200, (path, response.status_code)
        bodies.append(response.content.decode())

    for path in (
        "/advisories/",
        "/advisories/feed.atom",
        "/advisories/rejections/",
        "/.well-known/akrites-signing-key.pem",
        "/.well-known/security.txt",
        "/.well-known/csaf/provider-metadata.json",
        "/.well-known/csaf/white/",
        "/.well-known/csaf/white/akrites-csaf-feed-tlp-white.json",
        "/.well-known/csaf/white/index.txt",
        "/.well-known/csaf/white/changes.csv",
    ):
        get(path)
    for public in PublicAdvisory.objects.all():
        get(f"/advisories/{public.public_id}/")
        get(f"/.well-known/csaf/white/{public.year}/")
        get(f"/v1/vulns/{public.osv_id}")
    for doc in PublishedDocument.objects.select_related("public"):
        for suffix in ("", ".sig", ".sha256", ".sha512"):
            get(f"/advisories/{doc.public.public_id}/{doc.kind}.json{suffix}")
            get(f"/advisories/{doc.public.public_id}/{doc.filename}{suffix}")
            get(f"/advisories/{doc.public.public_id}/v/{doc.version}/{doc.kind}.json{suffix}")
            if doc.kind == "csaf":
                get(f"/.well-known/csaf/white/{doc.public.year}/{doc.filename}{suffix}")
    for n in range(1, N + 2):  # guessed ids of what is not published answer 404
        get(f"/v1/vulns/x_AKRITES-2026-{n:05d}")
        get(f"/advisories/AKRITES-2026-{n:05d}/")
    for _, markers, purl, commit in cases:
        get(f"/advisories/?q={markers[0]}")
        get(f"/advisories/?q={markers[2]}")
        post("/v1/query", {"package": {"purl": f"{purl}@1.5"}})
        post("/v1/query", {"package": {"ecosystem": "PyPI", "name": purl.rsplit("/", 1)[1]}})
        post("/v1/query", {"commit": commit})
    post("/v1/querybatch", {"queries": [{"package": {"purl": c[2]}} for c in cases]})
    return "\n".join(bodies), hit


def test_nothing_unpublished_appears_on_any_public_endpoint(
    client, settings, orgs, system, sirt, maintainer, caplog
):
    caplog.set_level("DEBUG")
    settings.AKRITES_BASE_URL = "https://akrites.example"
    cases = _make_cases(orgs, system, sirt, maintainer)
    outcomes = {o for o, *_ in cases}
    assert outcomes == {"published", "withheld", "broken"}  # the seed covers every outcome
    # The worker publishes nothing: withheld ones are approved but not due, and the drafts of
    # cases disclosed by break_embargo were saved but never approved.
    assert publish_due(actor=system) == []
    text, hit = _scan(client, cases)
    for outcome, markers, _, _ in cases:
        for marker in markers:
            if outcome == "published":
                assert marker in text, marker  # the scan does see published data
            else:
                assert marker not in text, (outcome, marker)
    assert {p.name for p in disclosure_urls.urlpatterns} <= hit  # every public page route
    for _, markers, _, _ in cases:  # logs carry identifiers, never content
        assert not [m for m in markers[:2] if m in caplog.text]
