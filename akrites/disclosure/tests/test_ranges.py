import pytest

from akrites.core.errors import InvalidInput
from akrites.disclosure.ranges import (
    osv_package,
    purl_for,
    vers_to_osv,
    version_affected,
)


@pytest.mark.parametrize(
    ("vers", "ranges", "versions"),
    [
        ("vers:pypi/>=1.0|<1.2.3", [[{"introduced": "1.0"}, {"fixed": "1.2.3"}]], []),
        ("vers:pypi/<2.0", [[{"introduced": "0"}, {"fixed": "2.0"}]], []),
        ("vers:pypi/*", [[{"introduced": "0"}]], []),
        ("vers:npm/>=3.0.0", [[{"introduced": "3.0.0"}]], []),
        (
            "vers:pypi/>=1.0|<1.1|>=2.0|<2.1",
            [[{"introduced": "1.0"}, {"fixed": "1.1"}, {"introduced": "2.0"}, {"fixed": "2.1"}]],
            [],
        ),
        # fixed and last_affected never share a range (OSV forbids it)
        (
            "vers:pypi/<1.1|>=2.0|<=2.1",
            [
                [{"introduced": "0"}, {"fixed": "1.1"}],
                [{"introduced": "2.0"}, {"last_affected": "2.1"}],
            ],
            [],
        ),
        ("vers:pypi/1.0|1.1", [], ["1.0", "1.1"]),
    ],
)
def test_vers_becomes_osv_events(vers, ranges, versions):
    converted = vers_to_osv(vers, purl_type="pypi")
    assert [r["events"] for r in converted.ranges] == ranges
    assert all(r["type"] == "ECOSYSTEM" for r in converted.ranges)
    assert converted.versions == versions


def test_go_ranges_are_semver():
    assert vers_to_osv("vers:golang/<1.2.0", purl_type="golang").ranges[0]["type"] == "SEMVER"


@pytest.mark.parametrize("vers", ["vers:pypi/>1.0|<2.0", "vers:pypi/!=1.5"])
def test_vers_without_an_osv_form_is_refused(vers):
    with pytest.raises(InvalidInput):
        vers_to_osv(vers, purl_type="pypi")


@pytest.mark.parametrize(
    ("purl", "ecosystem", "name"),
    [
        ("pkg:pypi/yamlkit", "PyPI", "yamlkit"),
        ("pkg:npm/%40scope/pkg", "npm", "@scope/pkg"),
        ("pkg:maven/org.example/lib", "Maven", "org.example:lib"),
        ("pkg:golang/github.com/a/b", "Go", "github.com/a/b"),
        ("pkg:deb/debian/openssl", "Debian", "openssl"),
        ("pkg:cargo/rivet", "crates.io", "rivet"),
    ],
)
def test_purl_and_osv_package_round_trip(purl, ecosystem, name):
    pkg = osv_package(purl)
    assert (pkg.ecosystem, pkg.name) == (ecosystem, name)
    assert purl_for(ecosystem, name) == purl


def test_unknown_ecosystem_has_no_purl():
    assert purl_for("Nonesuch", "x") is None


def test_version_matching_uses_the_ecosystem_order():
    assert version_affected("vers:pypi/>=1.0|<1.2.3", "1.2.0")
    assert version_affected("vers:pypi/>=1.0|<1.2.3", "1.10") is False
    assert version_affected("vers:pypi/>=1.0|<1.2.3", "1.2.3") is False
    with pytest.raises(InvalidInput) as err:
        version_affected("vers:pypi/>=1.0|<1.2.3", "not a version!")
    assert err.value.field == "version"
