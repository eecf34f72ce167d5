"""Every document validates against its standard, and renders byte-for-byte as the golden
files (regenerate with AKRITES_REGENERATE_GOLDEN=1)."""

import copy
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from akrites.core import schemas
from akrites.disclosure.content import content_from_dict
from akrites.disclosure.renderers import (
    KINDS,
    DocumentInvalid,
    RenderContext,
    render_all,
    render_and_validate,
    validate_document,
)
from akrites.disclosure.renderers import validate as validate_module
from akrites.disclosure.tests.conftest import CONTENT

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("AKRITES_REGENERATE_GOLDEN") == "1"

FULL = {
    **CONTENT,
    "affected": [
        *CONTENT["affected"],
        {"purl": "pkg:npm/%40scope/yamlkit-js", "vers": "vers:npm/>=2.0.0|<=2.4.1"},
    ],
    "cvss": [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
    ],
    "credits": [{"name": "Ada Finder"}, {"name": "Anonymous"}],
    "aliases": ["GHSA-abcd-efgh-ijkm"],
}
CTX = RenderContext(
    public_id="AKRITES-2026-00001",
    osv_id="x_AKRITES-2026-00001",
    cve_id="CVE-2026-50001",
    published=datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
    modified=datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
    base_url="https://akrites.example",
)


@pytest.fixture(scope="module")
def docs():
    return render_all(content_from_dict(FULL), CTX)


@pytest.mark.parametrize("kind", KINDS)
def test_every_document_validates(docs, kind):
    validate_document(kind, docs[kind])


def test_minimal_advisory_validates_too():
    minimal = {"summary": "x", "affected": [{"purl": "pkg:cargo/rivet", "fixed": ["0.3.1"]}]}
    ctx = RenderContext(**{**CTX.__dict__, "cve_id": ""})
    texts = render_and_validate(content_from_dict(minimal), ctx)
    assert set(texts) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_documents_match_golden_files(docs, kind):
    path = GOLDEN / f"{kind}.json"
    text = json.dumps(docs[kind], indent=2, ensure_ascii=False) + "\n"
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, "regenerate with AKRITES_REGENERATE_GOLDEN=1"


def test_osv_id_is_local_and_aliases_the_cve(docs):
    assert docs["osv"]["id"].startswith("x_")
    assert docs["osv"]["aliases"][0] == "CVE-2026-50001"


def test_csaf_is_2_0_and_carries_cvss_3_only(docs):
    import csaf.csaf.v20 as v20

    assert docs["csaf"]["document"]["csaf_version"] == "2.0"
    assert v20.validate(docs["csaf"], preset="basic").overall_valid
    scores = docs["csaf"]["vulnerabilities"][0]["scores"]
    assert [list(s) for s in scores] == [["cvss_v3", "products"]]


def test_cyclonedx_scores_are_numbers(docs):
    ratings = docs["cyclonedx"]["vulnerabilities"][0]["ratings"]
    assert {r["method"] for r in ratings} == {"CVSSv31", "CVSSv4"}
    assert all(isinstance(r["score"], (int, float)) for r in ratings)


@pytest.mark.parametrize(
    ("kind", "breakage"),
    [
        ("osv", lambda d: d.update(id="AKRITES-1")),
        ("cve", lambda d: d.pop("affected")),
        ("csaf", lambda d: d["document"]["tracking"].update(version="2")),
        ("openvex", lambda d: d.pop("statements")),
        ("cyclonedx", lambda d: d["vulnerabilities"][0].update(ratings=[{"score": "high"}])),
    ],
)
def test_an_invalid_document_is_refused_without_its_content(docs, kind, breakage):
    broken = copy.deepcopy(docs[kind])
    breakage(broken)
    with pytest.raises(DocumentInvalid) as err:
        validate_document(kind, broken)
    assert "yamlkit" not in err.value.message and kind in err.value.message


def test_a_broken_installation_without_a_schema_stops_publication(docs, monkeypatch):
    monkeypatch.setitem(schemas.FILES, "osv", "not-shipped.json")
    schemas.schema.cache_clear()
    validate_module._schema_validator.cache_clear()
    try:
        with pytest.raises(validate_module.SchemaMissing):
            validate_document("osv", docs["osv"])
    finally:
        monkeypatch.undo()
        schemas.schema.cache_clear()
        validate_module._schema_validator.cache_clear()


def test_the_schemas_come_from_the_package_whatever_shared_dir_says(docs, settings, tmp_path):
    settings.SHARED_DIR = tmp_path  # nothing there: a clone with nothing beside it
    validate_module._schema_validator.cache_clear()
    validate_document("osv", docs["osv"])
    validate_document("openvex", docs["openvex"])
