"""The public surface answers anonymous users: pages, feeds, CSAF provider, documents."""

import base64
import hashlib
import json
import shutil
import subprocess

import pytest

from akrites.disclosure.signing import public_key_pem, verify
from conftest import requires


def test_list_detail_and_search_are_public(client, published):
    page = client.get("/advisories/")
    assert page.status_code == 200 and published.public_id.encode() in page.content
    detail = client.get(f"/advisories/{published.public_id}/")
    assert detail.status_code == 200
    assert b"Billion laughs" in detail.content and b"Ada Finder" in detail.content
    assert client.get(f"/advisories/{published.osv_id}/").status_code == 200
    assert published.public_id.encode() in client.get("/advisories/?q=yamlkit").content
    assert published.public_id.encode() not in client.get("/advisories/?q=nomatch").content


def test_unknown_advisory_is_404(client, db):
    assert client.get("/advisories/AKRITES-1999-00001/").status_code == 404
    assert client.get("/advisories/AKRITES-1999-00001/osv.json").status_code == 404


def test_atom_feed(client, published):
    response = client.get("/advisories/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert published.public_id.encode() in response.content


@pytest.mark.parametrize("kind", ["osv", "cve", "csaf", "openvex", "cyclonedx"])
def test_every_document_is_signed_and_hashed(client, published, kind):
    base = f"/advisories/{published.public_id}/{kind}.json"
    body = client.get(base).content
    json.loads(body)
    signature = client.get(base + ".sig").content
    key = client.get("/.well-known/akrites-signing-key.pem").content.decode()
    assert key == public_key_pem()
    assert verify(body, base64.b64encode(signature).decode(), key)
    assert not verify(body + b" ", base64.b64encode(signature).decode(), key)
    sha256 = client.get(base + ".sha256").content.decode().split()[0]
    assert sha256 == hashlib.sha256(body).hexdigest()
    sha512 = client.get(base + ".sha512").content.decode().split()[0]
    assert sha512 == hashlib.sha512(body).hexdigest()


def test_csaf_provider_layout(client, published):
    meta = client.get("/.well-known/csaf/provider-metadata.json").json()
    assert meta["metadata_version"] == "2.0" and meta["role"] == "csaf_provider"
    for key in (
        "canonical_url",
        "distributions",
        "last_updated",
        "publisher",
        "list_on_CSAF_aggregators",
        "mirror_on_CSAF_aggregators",
    ):
        assert key in meta
    feed_url = meta["distributions"][0]["rolie"]["feeds"][0]["url"]
    path = feed_url.split("://", 1)[1].split("/", 1)[1]
    feed = client.get("/" + path)
    # CSAF 2.0's ROLIE feed is JSON (no schema ships in a package): check its required members.
    rolie = feed.json()["feed"]
    assert {"id", "title", "link", "category", "updated", "entry"} <= set(rolie)
    assert rolie["category"][0]["term"] == "csaf"
    entry = rolie["entry"][0]
    assert {"id", "title", "link", "published", "updated", "content", "format"} <= set(entry)
    assert {link["rel"] for link in entry["link"]} == {"self", "hash", "signature"}
    doc_path = "/" + entry["content"]["src"].split("://", 1)[1].split("/", 1)[1]
    year = published.published_at.year
    assert doc_path == f"/.well-known/csaf/white/{year}/akrites-{year}-00001.json"
    doc = client.get(doc_path)
    assert doc.json()["document"]["tracking"]["id"] == published.public_id
    for suffix in (".sha256", ".sha512", ".sig"):
        assert client.get(doc_path + suffix).status_code == 200
    index = client.get("/.well-known/csaf/white/index.txt").content.decode()
    assert index == f"{year}/akrites-{year}-00001.json\n"
    changes = client.get("/.well-known/csaf/white/changes.csv").content.decode()
    assert changes.startswith(f'"{year}/akrites-{year}-00001.json","')
    listing = client.get(f"/.well-known/csaf/white/{year}/").content.decode()
    assert f"akrites-{year}-00001.json.sha512" in listing
    assert f"{year}/" in client.get("/.well-known/csaf/white/").content.decode()


def test_security_txt_names_the_csaf_provider(client, settings, db):
    settings.AKRITES_BASE_URL = "https://akrites.example"
    text = client.get("/.well-known/security.txt").content.decode()
    assert "CSAF: https://akrites.example/.well-known/csaf/provider-metadata.json\n" in text


def test_signing_key_is_generated_once_into_var(monkeypatch, settings, tmp_path):
    from akrites.disclosure import signing

    monkeypatch.delenv("AKRITES_SIGNING_KEY")
    settings.VAR_DIR = tmp_path
    first = signing.public_key_pem()
    assert (tmp_path / "signing-key.pem").stat().st_mode & 0o777 == 0o600
    assert signing.public_key_pem() == first


def test_bad_signing_key_fails_loudly(monkeypatch):
    from akrites.core.env import ConfigError
    from akrites.disclosure import signing

    monkeypatch.setenv("AKRITES_SIGNING_KEY", "not a key")
    with pytest.raises((ConfigError, ValueError)):
        signing.sign(b"x")


def _check_download(client, url: str, tmp_path, tool: str) -> None:
    """Save the document and its checksum file under the names their URLs end in (as
    ``curl -O`` or a browser does) and run ``sha256sum -c`` / ``sha512sum -c`` there."""
    name = url.rsplit("/", 1)[1]
    suffix = ".sha256" if tool == "sha256sum" else ".sha512"
    document = client.get(url)
    assert document.status_code == 200
    assert f'filename="{name}"' in document["Content-Disposition"]
    (tmp_path / name).write_bytes(document.content)
    (tmp_path / f"{name}{suffix}").write_bytes(client.get(url + suffix).content)
    done = subprocess.run(
        [shutil.which(tool) or tool, "-c", f"{name}{suffix}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == f"{name}: OK"


@pytest.mark.parametrize("tool", ["sha256sum", "sha512sum"])
@pytest.mark.parametrize("kind", ["osv", "cve", "csaf", "openvex", "cyclonedx"])
def test_checksum_files_name_the_served_file(client, published, tmp_path, tool, kind):
    requires(shutil.which(tool) is not None, f"{tool} (coreutils) is not installed")
    doc = published.documents.get(kind=kind)
    base = f"/advisories/{published.public_id}"
    for url in (f"{base}/{kind}.json", f"{base}/{doc.filename}", f"{base}/v/1/{kind}.json"):
        _check_download(client, url, tmp_path, tool)
    if kind == "csaf":
        _check_download(
            client, f"/.well-known/csaf/white/{published.year}/{doc.filename}", tmp_path, tool
        )


def test_unknown_document_names_are_404(client, published):
    base = f"/advisories/{published.public_id}"
    for name in ("x.json", "AKRITES-2026-99999.osv.json", "osv.json.md5", "osv"):
        assert client.get(f"{base}/{name}").status_code == 404
    assert client.get(f"{base}/v/2/osv.json").status_code == 404
    assert client.get(f"{base}/v/0/osv.json").status_code == 404
