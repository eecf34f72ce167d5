"""CNA work against a local fake of CVE Services, with the real cvelib client."""

import pytest

from akrites.core.env import ConfigError
from akrites.disclosure.cna import CnaError, cna_backend
from akrites.disclosure.cna.cve_services import CveServicesBackend
from akrites.disclosure.cna.local import LocalBlock
from akrites.disclosure.models import (
    Advisory,
    AdvisoryCounter,
    CveReservation,
    PublicAdvisory,
    PublishedDocument,
)
from akrites.disclosure.services import advisory_reject_cve, advisory_reserve_cve
from akrites.disclosure.tests.conftest import after_instant, approve, publish_now
from akrites.disclosure.tests.cve_fake import API_KEY, ORG, USER


def _container():
    return {
        "providerMetadata": {"orgId": "00000000-0000-4000-8000-000000000000"},
        "descriptions": [{"lang": "en", "value": "A bug."}],
        "affected": [{"vendor": "v", "product": "p", "defaultStatus": "unknown"}],
        "references": [{"url": "https://example.com/a"}],
    }


def test_reserve_publish_update_reject_through_cvelib(cve_fake, cve_backend):
    cve_id = cve_backend.reserve(year=2026)
    assert cve_id == "CVE-2026-40000" and cve_fake.ids[cve_id]["state"] == "RESERVED"
    cve_backend.publish(cve_id=cve_id, cna_container=_container())
    record = cve_fake.ids[cve_id]["record"]
    # cvelib fetched our org UUID from GET org/{short} and we named the generator.
    assert record["providerMetadata"]["orgId"] == cve_fake.org_uuid
    assert record["x_generator"] == {"engine": "Akrites"}
    cve_backend.publish(cve_id=cve_id, cna_container=_container())  # a retry updates
    assert [op for op, _ in cve_fake.calls if op in ("publish", "update")] == ["publish", "update"]
    other = cve_backend.reserve(year=2026)
    cve_backend.reject(cve_id=other, reason="Not a vulnerability.")
    assert cve_fake.ids[other]["state"] == "REJECTED"


@pytest.mark.parametrize(("operation", "status"), [("reserve", 400), ("reserve", 503)])
def test_http_errors_become_clear_cna_errors(cve_fake, cve_backend, operation, status):
    cve_fake.fail[operation] = status
    with pytest.raises(CnaError) as err:
        cve_backend.reserve(year=2026)
    assert f"HTTP {status}" in err.value.message and err.value.http_status == 502


def test_a_timeout_is_a_clear_error(cve_fake):
    backend = CveServicesBackend(org=ORG, user=USER, api_key=API_KEY, url=cve_fake.url, timeout=1)
    cve_fake.delay = 2
    with pytest.raises(CnaError, match="did not answer in time"):
        backend.reserve(year=2026)


def test_bad_credentials_are_refused(cve_fake):
    backend = CveServicesBackend(org=ORG, user=USER, api_key="wrong", url=cve_fake.url, timeout=2)
    with pytest.raises(CnaError, match="HTTP 401"):
        backend.reserve(year=2026)


def test_unreachable_service(cve_fake):
    url = cve_fake.url
    cve_fake.stop()
    backend = CveServicesBackend(org=ORG, user=USER, api_key=API_KEY, url=url, timeout=1)
    with pytest.raises(CnaError, match="cannot be reached"):
        backend.reserve(year=2026)
    cve_fake.server.shutdown = lambda: None  # already stopped; the fixture stops again


def test_local_block_hands_out_free_ids_of_the_year(db, monkeypatch):
    monkeypatch.setenv("AKRITES_CNA_BACKEND", "local")
    monkeypatch.setenv("AKRITES_CVE_BLOCK", "CVE-2026-50000..CVE-2026-50001,CVE-2027-1000")
    backend = cna_backend()
    assert isinstance(backend, LocalBlock)
    CveReservation.objects.create(cve_id="CVE-2026-50000", backend="local")
    assert backend.reserve(year=2026) == "CVE-2026-50001"
    assert backend.reserve(year=2027) == "CVE-2027-1000"
    with pytest.raises(CnaError):
        backend.reserve(year=2028)


@pytest.mark.parametrize("block", ["CVE-2026-5..CVE-2027-6", "CVE-26-1", "CVE-2026-9..CVE-2026-1"])
def test_bad_block_configuration_fails_loudly(monkeypatch, block):
    monkeypatch.setenv("AKRITES_CNA_BACKEND", "local")
    monkeypatch.setenv("AKRITES_CVE_BLOCK", block)
    with pytest.raises(ConfigError):
        cna_backend()


def test_cve_services_backend_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AKRITES_CNA_BACKEND", "cve-services")
    monkeypatch.setenv("AKRITES_CVE_ORG", ORG)
    monkeypatch.setenv("AKRITES_CVE_USER", USER)
    with pytest.raises(ConfigError):
        cna_backend()
    key = tmp_path / "key"
    key.write_text(API_KEY)
    monkeypatch.setenv("AKRITES_CVE_API_KEY_FILE", str(key))
    backend = cna_backend()
    assert isinstance(backend, CveServicesBackend) and backend.api.api_key == API_KEY


def test_reserving_records_the_id(draft, sirt, cve_backend):
    advisory = advisory_reserve_cve(actor=sirt, advisory=draft, backend=cve_backend)
    assert advisory.cve_id.startswith("CVE-")
    assert CveReservation.objects.get(cve_id=advisory.cve_id).advisory == advisory


def test_a_failed_reservation_records_nothing(draft, sirt, cve_fake, cve_backend):
    cve_fake.fail["reserve"] = 500
    with pytest.raises(CnaError):
        advisory_reserve_cve(actor=sirt, advisory=draft, backend=cve_backend)
    assert not CveReservation.objects.exists()
    assert Advisory.objects.get(pk=draft.pk).cve_id == ""


def test_rejecting_a_reserved_id(draft, sirt, cve_fake, cve_backend):
    advisory = advisory_reserve_cve(actor=sirt, advisory=draft, backend=cve_backend)
    cve_id = advisory.cve_id
    advisory_reject_cve(actor=sirt, advisory=advisory, reason="Duplicate.", backend=cve_backend)
    assert cve_fake.ids[cve_id]["state"] == "REJECTED"
    assert CveReservation.objects.get(cve_id=cve_id).state == "rejected"
    assert Advisory.objects.get(pk=draft.pk).cve_id == ""


def _nothing_published(case, advisory):
    case.refresh_from_db()
    assert case.status == "fix_ready"
    assert Advisory.objects.get(pk=advisory.pk).state == "draft"
    assert not PublicAdvisory.objects.exists() and not PublishedDocument.objects.exists()
    assert not AdvisoryCounter.objects.exists()


@pytest.mark.parametrize("failure", ["http500", "http400", "timeout"])
def test_cve_services_failure_publishes_nothing(
    draft, ready_case, sirt, cve_fake, failure, monkeypatch
):
    backend = CveServicesBackend(org=ORG, user=USER, api_key=API_KEY, url=cve_fake.url, timeout=1)
    advisory = advisory_reserve_cve(actor=sirt, advisory=draft, backend=backend)
    if failure == "timeout":
        cve_fake.delay = 2
    else:
        cve_fake.fail["publish"] = int(failure[4:])
    with after_instant(ready_case), pytest.raises(CnaError):
        approve(ready_case, sirt, "now", backend)
    _nothing_published(ready_case, advisory)
    assert cve_fake.ids[advisory.cve_id]["state"] == "RESERVED"


def test_cna_flow_publishes_the_record_with_the_advisory(draft, ready_case, sirt, cve_fake):
    backend = CveServicesBackend(org=ORG, user=USER, api_key=API_KEY, url=cve_fake.url, timeout=2)
    advisory = advisory_reserve_cve(actor=sirt, advisory=draft, backend=backend)
    public = publish_now(ready_case, sirt, backend)
    assert public.cve_id == advisory.cve_id
    entry = cve_fake.ids[advisory.cve_id]
    assert entry["state"] == "PUBLISHED"
    assert entry["record"]["title"] == "Billion laughs in yamlkit.load"
    assert CveReservation.objects.get(cve_id=advisory.cve_id).state == "published"
