import pytest

from akrites.core.errors import Conflict, InvalidInput
from akrites.projects.models import Package
from akrites.projects.services import package_add, project_create


@pytest.mark.parametrize("purl", ["yamlkit", "pkg:", "pkg:pypi", "http://x/y", "pkg:/name"])
def test_invalid_purls_are_refused(system, project, purl):
    before = Package.objects.count()
    with pytest.raises(InvalidInput) as exc:
        package_add(actor=system, project=project, purl=purl)
    assert exc.value.field == "purl"
    assert Package.objects.count() == before


def test_purl_is_stored_canonical_without_version(system, project):
    package = package_add(actor=system, project=project, purl="pkg:npm/%40scope/Thing@1.2.3?x=1")
    assert package.purl == "pkg:npm/%40scope/thing"  # npm names are case-insensitive
    assert (package.type, package.namespace) == ("npm", "@scope")
    with pytest.raises(Conflict):
        package_add(actor=system, project=project, purl="pkg:npm/%40scope/Thing@2.0")


def test_project_team_must_be_a_project_team(system, orgs):
    with pytest.raises(InvalidInput) as exc:
        project_create(actor=system, name="p", team=orgs["member"])
    assert exc.value.field == "team"
