"""Property tests for the parsers of untrusted input not covered by
``akrites/intake/tests/test_parsers_properties.py`` (which drives report JSON, OSV, SARIF and
text through ``parse_report``): CVSS, purl, vers, CWE, URLs, the bulk stream splitter,
OpenPGP armour detection and decryption, CycloneDX SBOMs, unified diffs, security.txt and
SECURITY.md. Contract for each: any input gives a result or the parser's documented error
(``InvalidInput``, its subclass ``TooLarge``, or an ``invalid`` status) — nothing else.
"""

from __future__ import annotations

import base64
import contextlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akrites.core.errors import InvalidInput
from akrites.intake.parsers import common

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def _mixed(fragments: list[str]) -> st.SearchStrategy[str]:
    """Text built from real fragments of the format plus arbitrary text between them."""
    piece = st.sampled_from(fragments) | st.text(max_size=12)
    return st.lists(piece, max_size=12).map("".join)


CVSS_PARTS = [
    "CVSS:3.1/",
    "CVSS:4.0/",
    "CVSS:3.0/",
    "AV:N",
    "/AC:L",
    "/PR:N",
    "/UI:N",
    "/S:U",
    "/C:H",
    "/I:H",
    "/A:H",
    "/AT:N",
    "/VC:H",
    "/VI:H",
    "/VA:H",
    "/SC:N",
    "/SI:N",
    "/SA:N",
    "/E:X",
    "/CR:H",
    "/MAV:P",
    "/",
    ":",
    "X",
]
PURL_PARTS = [
    "pkg:",
    "pypi/",
    "npm/",
    "maven/",
    "golang/",
    "cargo/",
    "deb/",
    "generic/",
    "@scope/",
    "%40",
    "%2F",
    "%",
    "name",
    "@1.0",
    "?",
    "arch=x86&",
    "qual=",
    "#",
    "sub/path",
    "//",
    "..",
    "\x00",
    "é",
]
VERS_PARTS = [
    "vers:",
    "pypi/",
    "npm/",
    "maven/",
    "semver/",
    "deb/",
    "golang/",
    "*",
    "<",
    ">",
    "<=",
    ">=",
    "!=",
    "=",
    "1.0",
    "2.0.1",
    "0",
    "|",
    "||",
    "~",
    "^",
    "v",
    "a1",
    "-rc.1",
    " ",
    "%7C",
]


def _accepts_or_refuses(fn, value: str) -> None:
    try:
        out = fn(value, "field")
    except InvalidInput as exc:
        assert exc.field == "field"
    else:
        assert isinstance(out, str)


@SETTINGS
@given(_mixed(CVSS_PARTS))
def test_cvss_vectors(value):
    _accepts_or_refuses(common.normalise_cvss, value)


@SETTINGS
@given(_mixed(PURL_PARTS))
def test_purls(value):
    _accepts_or_refuses(common.normalise_purl, value)


@SETTINGS
@given(_mixed(VERS_PARTS), st.sampled_from([None, "pypi", "npm", "maven", "cargo"]))
def test_vers_ranges(value, package_type):
    try:
        out = common.normalise_vers(value, "field", package_type=package_type)
    except InvalidInput:
        return
    # A canonical range parses again to itself.
    assert common.normalise_vers(out, "field", package_type=package_type) == out


@SETTINGS
@given(st.sampled_from(["pypi", "npm", "maven", "bogus", ""]), st.lists(_mixed(VERS_PARTS[6:])))
def test_vers_built_from_events(scheme, constraints):
    with contextlib.suppress(InvalidInput):
        common.build_vers(scheme, constraints, "field")


@SETTINGS
@given(_mixed(["CWE-", "79", "0", "-", "cwe-", "NVD-CWE-Other", "9999999"]))
def test_cwe_ids(value):
    _accepts_or_refuses(common.normalise_cwe, value)


@SETTINGS
@given(_mixed(["https://", "http://", "javascript:", "//", "[::1]", "@", ":80", "/p?q#f", "é"]))
def test_urls(value):
    _accepts_or_refuses(common.normalise_url, value)


@SETTINGS
@given(
    st.binary(max_size=400)
    | st.lists(st.text(max_size=40), max_size=8).map(
        lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")
    ),
    st.sampled_from([None, "application/json", "application/x-ndjson", "text/plain"]),
)
def test_bulk_stream_splitting(body, content_type):
    from akrites.intake.services.submit import split_stream

    try:
        items = split_stream(body, content_type)
    except InvalidInput:
        return
    assert items and all(isinstance(i, bytes) and i.strip() for i in items)


ARMOUR_BEGIN = "-----BEGIN PGP MESSAGE-----"
ARMOUR_END = "-----END PGP MESSAGE-----"
armour_like = st.builds(
    lambda pre, body, post, begin, end: f"{pre}{begin}\n\n{body}\n{end}{post}".encode(
        "utf-8", "surrogatepass"
    ),
    st.sampled_from(["", " ", "\n", "x"]),
    st.binary(max_size=200).map(lambda b: base64.b64encode(b).decode()) | st.text(max_size=80),
    st.sampled_from(["", " ", "\n\n", "junk"]),
    st.sampled_from([ARMOUR_BEGIN, "-----BEGIN PGP SIGNATURE-----", ARMOUR_BEGIN * 2]),
    st.sampled_from([ARMOUR_END, "", "-----END PGP MESSAGE"]),
)


@SETTINGS
@given(armour_like | st.binary(max_size=300))
def test_armour_detection(data):
    from akrites.intake.openpgp import is_armored_message

    assert isinstance(is_armored_message(data), bool)


@pytest.fixture(scope="module")
def intake_keyring(tmp_path_factory):
    from akrites.intake.openpgp import IntakeKeyring

    keyring = IntakeKeyring(tmp_path_factory.mktemp("proof-gpg") / "gnupg")
    keyring.ensure_key(name="Akrites proof", email="proof@akrites.test")
    yield keyring
    keyring.close()


@SLOW
@given(data=armour_like)
def test_armour_decryption_refuses_garbage(intake_keyring, data):
    with contextlib.suppress(InvalidInput):
        intake_keyring.decrypt_armored(data, max_bytes=10_000)


SBOM_SEED = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "version": 1,
    "components": [
        {
            "type": "library",
            "name": "yamlkit",
            "version": "1.0",
            "purl": "pkg:pypi/yamlkit@1.0",
            "components": [{"type": "library", "name": "x", "purl": "pkg:npm/x@2"}],
        },
    ],
}
json_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.sampled_from(
        ["CycloneDX", "1.2", "1.4", "1.6", "2.0", "library", "pkg:pypi/a@1", "pkg:bad", "bom-ref"]
    )
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "bomFormat",
                    "specVersion",
                    "components",
                    "purl",
                    "name",
                    "version",
                    "type",
                    "bom-ref",
                    "metadata",
                    "dependencies",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@st.composite
def sbom_docs(draw):
    doc = json.loads(json.dumps(SBOM_SEED))
    for key in draw(st.lists(st.sampled_from(["specVersion", "components", "version", "x"]))):
        doc[key] = draw(json_value)
    if draw(st.booleans()):
        doc["components"] = [draw(json_value) for _ in range(draw(st.integers(0, 3)))]
    return json.dumps(doc).encode()


@SLOW
@given(sbom_docs() | st.binary(max_size=300) | json_value.map(lambda v: json.dumps(v).encode()))
def test_cyclonedx_sboms(document):
    from akrites.confidentiality.services.sbom import parse_cyclonedx

    try:
        pairs = parse_cyclonedx(document)
    except InvalidInput:
        return
    assert all(isinstance(p, str) and isinstance(v, str) for p, v in pairs)


DIFF_PARTS = [
    "--- a/src/x.c\n",
    "+++ b/src/x.c\n",
    "--- /dev/null\n",
    "+++ /dev/null\n",
    "@@ -1,2 +1,2 @@\n",
    "@@ -0,0 +1 @@\n",
    " ctx\n",
    "-old\n",
    "+new\n",
    "diff --git a/x b/x\n",
    "Binary files a/x and b/x differ\n",
    "--- a/../etc\n",
    "+++ b/.git/config\n",
    "\\ No newline at end of file\n",
    "@@ -1 +1 @@ f\n",
]


@SETTINGS
@given(_mixed(DIFF_PARTS))
def test_unified_diffs(text):
    from akrites.remediation.services.diffs import parse_diff

    try:
        parsed = parse_diff(text, max_bytes=50_000)
    except InvalidInput:
        return
    assert all(not p.startswith("/") and ".." not in p.split("/") for p in parsed.paths)


SECTXT_PARTS = [
    "Contact: mailto:s@e.org\n",
    "Contact: https://e.org/r\n",
    "Contact: ftp://x\n",
    "Expires: 2030-01-01T00:00:00Z\n",
    "Expires: yesterday\n",
    "Canonical: x\n",
    "Preferred-Languages: en, de\n",
    "Policy: https://e.org/p\n",
    "# c\n",
    "-----BEGIN PGP SIGNED MESSAGE-----\n",
    "Hash: SHA256\n",
    "\r\n",
    ":",
    "\n",
]
MD_PARTS = [
    "# Security\n",
    "security@example.org",
    "mailto:",
    "<a@b.c>",
    "[report](",
    ")",
    "https://github.com/o/r/security/advisories/new",
    "@",
    ".",
    "\n",
    "`",
    "é",
]


@SETTINGS
@given(_mixed(SECTXT_PARTS).map(lambda t: t.encode("utf-8", "surrogatepass")) | st.binary())
def test_security_txt(content):
    from akrites.projects.contacts import parse_security_txt

    parsed = parse_security_txt(content, at=datetime(2026, 1, 1, tzinfo=UTC))
    assert parsed.status in {"valid", "invalid", "expired"}


@SETTINGS
@given(_mixed(MD_PARTS).map(lambda t: t.encode("utf-8", "surrogatepass")) | st.binary())
def test_security_md(content):
    from akrites.projects.contacts import parse_security_md

    parsed = parse_security_md(content)
    assert parsed.status in {"valid", "invalid", "expired"}
    assert all(c.address.startswith(("mailto:", "https://")) for c in parsed.contacts)


def test_security_txt_with_an_absurd_expiry_year_is_invalid_not_a_crash():
    from akrites.projects.contacts import parse_security_txt

    content = b"Contact: mailto:a@b.c\nExpires: 99999999999999999999\n"
    assert parse_security_txt(content, at=datetime(2026, 1, 1, tzinfo=UTC)).status == "invalid"
