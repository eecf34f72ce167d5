"""Revising and withdrawing a published advisory: new versions everywhere, old ones kept."""

import json
from datetime import timedelta

import pytest

from akrites.access.tests.conftest import verified
from akrites.audit.models import AuditEntry
from akrites.core import clock
from akrites.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from akrites.disclosure.cna import CnaError
from akrites.disclosure.models import Advisory, PublicAdvisory, PublishedDocument
from akrites.disclosure.renderers import validate_document
from akrites.disclosure.services import (
    advisory_reserve_cve,
    advisory_revise,
    advisory_withdraw,
)
from akrites.disclosure.tests.conftest import MARKER, publish_now

NEW_SUMMARY = "Billion laughs in yamlkit.load and yamlkit.loads"


def _doc(client, public, name, version=None):
    where = f"v/{version}/" if version else ""
    response = client.get(f"/advisories/{public.public_id}/{where}{name}")
    assert response.status_code == 200, (name, version)
    return json.loads(response.content)


@pytest.fixture
def with_cve(draft, ready_case, sirt, cve_backend):
    advisory_reserve_cve(actor=sirt, advisory=draft, backend=cve_backend)
    return publish_now(ready_case, sirt, cve_backend)


def _later():
    """Some minutes after the (frozen-clock) publication."""
    return clock.frozen(PublicAdvisory.objects.get().modified_at + timedelta(minutes=5))


def test_a_revision_is_a_new_version_everywhere(
    client, with_cve, draft, sirt, cve_fake, cve_backend
):
    public = with_cve
    with _later():
        revised = advisory_revise(
            actor=sirt,
            advisory=draft,
            changes={"summary": NEW_SUMMARY},
            reason="The summary names loads too.",
            backend=cve_backend,
        )
    assert revised.version == 2 and revised.summary == NEW_SUMMARY
    osv1, osv2 = _doc(client, public, "osv.json", 1), _doc(client, public, "osv.json")
    assert osv1["summary"] != NEW_SUMMARY and osv2["summary"] == NEW_SUMMARY
    assert osv2["published"] == osv1["published"] and osv2["modified"] > osv1["modified"]
    csaf = _doc(client, public, "csaf.json")
    tracking = csaf["document"]["tracking"]
    assert tracking["version"] == "2" and tracking["status"] == "final"
    assert [r["number"] for r in tracking["revision_history"]] == ["1", "2"]
    assert tracking["revision_history"][1]["summary"] == "The summary names loads too."
    assert _doc(client, public, "csaf.json", 1)["document"]["tracking"]["version"] == "1"
    for kind in ("osv", "cve", "csaf", "openvex", "cyclonedx"):
        validate_document(kind, _doc(client, public, f"{kind}.json"))
    assert _doc(client, public, "openvex.json")["version"] == 2
    assert _doc(client, public, "cyclonedx.json")["version"] == 2
    # The CVE record was updated through the CNA path (PUT cve/{id}/cna).
    record = cve_fake.ids[public.cve_id]
    assert record["state"] == "PUBLISHED" and record["record"]["title"] == NEW_SUMMARY
    assert [op for op, _ in cve_fake.calls if op in ("publish", "update")] == [
        "publish",
        "update",
    ]
    # The feed entry is updated; the page and the CSAF provider show the new version.
    feed = client.get("/advisories/feed.atom").content.decode()
    assert NEW_SUMMARY in feed and f"<updated>{osv2['modified'][:-1]}" in feed
    page = client.get(f"/advisories/{public.public_id}/").content.decode()
    assert NEW_SUMMARY in page and "The summary names loads too." in page
    assert f"/advisories/{public.public_id}/v/1/osv.json" in page
    year = public.year
    provider = client.get(
        f"/.well-known/csaf/white/{year}/{public.documents.get(version=2, kind='csaf').filename}"
    )
    assert json.loads(provider.content)["document"]["tracking"]["version"] == "2"
    assert client.get("/.well-known/csaf/white/index.txt").content.decode().count("\n") == 1
    entry = AuditEntry.objects.get(action="advisory.revise")
    assert entry.data["version"] == 2 and "loads too" not in json.dumps(entry.data)
    assert PublishedDocument.objects.filter(public=public).count() == 10


def test_a_withdrawal_says_so_in_every_document(
    client, with_cve, draft, sirt, cve_fake, cve_backend
):
    public = with_cve
    with _later():
        advisory_withdraw(
            actor=sirt,
            advisory=draft,
            reason="Not a vulnerability: the limit was already enforced.",
            backend=cve_backend,
        )
    public.refresh_from_db()
    assert public.version == 2 and public.withdrawn_at is not None
    assert Advisory.objects.get(pk=draft.pk).state == "withdrawn"
    osv = _doc(client, public, "osv.json")
    assert osv["withdrawn"] == osv["modified"]
    csaf = _doc(client, public, "csaf.json")
    document = csaf["document"]
    assert document["tracking"]["status"] == "final" and document["tracking"]["version"] == "2"
    note = next(n for n in document["notes"] if n["title"] == "Withdrawn")
    assert note["category"] == "general" and "already enforced" in note["text"]
    assert document["tracking"]["revision_history"][-1]["summary"].startswith("Withdrawn: ")
    from csaf.csaf.v20 import validate

    assert validate(csaf, preset="basic").overall_valid
    for kind in ("osv", "cve", "csaf", "openvex", "cyclonedx"):
        validate_document(kind, _doc(client, public, f"{kind}.json"))
    assert "rejectedReasons" in _doc(client, public, "cve.json")
    assert _doc(client, public, "cyclonedx.json")["vulnerabilities"][0]["rejected"]
    # The CVE record is rejected through the CNA path (PUT cve/{id}/reject).
    rejected = cve_fake.ids[public.cve_id]
    assert rejected["state"] == "REJECTED"
    assert "already enforced" in rejected["record"]["rejectedReasons"][0]["value"]
    # Queries no longer find it; its id, its page and the old version still answer.
    found = client.post(
        "/v1/query", {"package": {"purl": "pkg:pypi/yamlkit@1.1"}}, content_type="application/json"
    )
    assert found.json() == {}
    assert client.get(f"/v1/vulns/{public.osv_id}").json()["withdrawn"]
    page = client.get(f"/advisories/{public.public_id}/").content.decode()
    assert "Withdrawn: Not a vulnerability" in page
    assert "withdrawn" not in _doc(client, public, "osv.json", 1)
    assert "[Withdrawn]" in client.get("/advisories/feed.atom").content.decode()
    with pytest.raises(Conflict):
        advisory_revise(actor=sirt, advisory=draft, changes={"summary": "x"}, reason="again")


def test_a_withdrawal_without_the_cna_path_still_publishes_its_version(
    client, published, draft, sirt
):
    advisory_withdraw(actor=sirt, advisory=draft, reason="Duplicate of another advisory.")
    assert _doc(client, published, "osv.json")["withdrawn"]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_revise_and_withdraw_need_a_reason(published, draft, sirt, reason):
    with pytest.raises(InvalidInput) as err:
        advisory_revise(actor=sirt, advisory=draft, changes={"summary": NEW_SUMMARY}, reason=reason)
    assert err.value.field == "reason"
    with pytest.raises(InvalidInput):
        advisory_withdraw(actor=sirt, advisory=draft, reason=reason)
    assert PublicAdvisory.objects.get().version == 1


def test_a_revision_must_change_something_valid(published, draft, sirt):
    with pytest.raises(InvalidInput, match="changes nothing"):
        advisory_revise(actor=sirt, advisory=draft, changes={}, reason="r")
    with pytest.raises(InvalidInput) as err:
        advisory_revise(actor=sirt, advisory=draft, changes={"cwes": ["CWE-x"]}, reason="r")
    assert err.value.field == "cwes[0]"
    assert PublicAdvisory.objects.get().version == 1


def test_only_the_sirt_revises_and_withdraws(published, draft, maintainer, outsider):
    for actor, error in ((maintainer, PermissionDenied), (outsider, NotFound)):
        with pytest.raises(error):
            advisory_revise(actor=actor, advisory=draft, changes={"summary": "x"}, reason="r")
        with pytest.raises(error):
            advisory_withdraw(actor=actor, advisory=draft, reason="r")
    assert PublicAdvisory.objects.get().version == 1


def test_a_cna_failure_leaves_nothing_half_stored(with_cve, draft, sirt, cve_fake, cve_backend):
    before = Advisory.objects.get(pk=draft.pk).content
    cve_fake.fail["update"] = 503
    with _later(), pytest.raises(CnaError):
        advisory_revise(
            actor=sirt,
            advisory=draft,
            changes={"summary": NEW_SUMMARY},
            reason="r",
            backend=cve_backend,
        )
    cve_fake.fail = {"reject": 503}
    with _later(), pytest.raises(CnaError):
        advisory_withdraw(actor=sirt, advisory=draft, reason="r", backend=cve_backend)
    public = PublicAdvisory.objects.get()
    assert public.version == 1 and public.withdrawn_at is None
    assert PublishedDocument.objects.filter(public=public).count() == 5
    advisory = Advisory.objects.get(pk=draft.pk)
    assert advisory.content == before and advisory.state == "published"
    assert not AuditEntry.objects.filter(action__in=["advisory.revise", "advisory.withdraw"])
    assert public.cve_id and cve_fake.ids[public.cve_id]["state"] == "PUBLISHED"


def test_a_revision_that_does_not_validate_stores_nothing(published, draft, sirt, monkeypatch):
    from akrites.disclosure.renderers import DocumentInvalid

    def failing(kind, doc):
        raise DocumentInvalid(f"the {kind} document does not validate")

    monkeypatch.setattr("akrites.disclosure.renderers.validate_document", failing)
    with pytest.raises(DocumentInvalid):
        advisory_revise(actor=sirt, advisory=draft, changes={"summary": NEW_SUMMARY}, reason="r")
    assert PublicAdvisory.objects.get().version == 1
    assert PublishedDocument.objects.count() == 5


def test_reasons_never_reach_the_logs(published, draft, sirt, caplog):
    caplog.set_level("DEBUG")
    advisory_revise(
        actor=sirt, advisory=draft, changes={"summary": NEW_SUMMARY}, reason=f"r {MARKER}"
    )
    advisory_withdraw(actor=sirt, advisory=draft, reason=f"w {MARKER}")
    assert MARKER not in caplog.text
    assert not [e for e in AuditEntry.objects.all() if MARKER in json.dumps(e.data)]


@pytest.mark.mfa
@pytest.mark.parametrize("op", ["revise", "withdraw"])
def test_revise_and_withdraw_need_a_fresh_code(client, published, ready_case, sirt, op):
    url = f"/api/v1/advisories/{ready_case.human_id}/{op}"
    body = {"content": {"summary": NEW_SUMMARY}, "reason": "Because."}
    verified(client, sirt, step_up=False)
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "step_up_required"
    assert PublicAdvisory.objects.get().version == 1
    verified(client, sirt)
    assert client.post(url, body, content_type="application/json").status_code == 200
    assert PublicAdvisory.objects.get().version == 2
