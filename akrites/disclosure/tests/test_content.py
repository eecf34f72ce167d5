import pytest

from akrites.core.errors import InvalidInput
from akrites.disclosure.content import content_from_dict
from akrites.disclosure.tests.conftest import CONTENT


def test_valid_content_is_normalised():
    content = content_from_dict({**CONTENT, "cwes": ["cwe-0776"], "summary": "  a   b "})
    assert content.cwes == ("CWE-776",)
    assert content.summary == "a b"
    assert content_from_dict(content.to_dict()) == content


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"affected": [{"purl": "not-a-purl"}]}, "affected[0].purl"),
        ({"affected": [{"purl": "pkg:pypi/x", "vers": "vers:npm/<1"}]}, "affected[0].vers"),
        ({"affected": [{"purl": "pkg:pypi/x"}, {"purl": "pkg:pypi/x"}]}, "affected"),
        ({"cvss": ["CVSS:2.0/AV:N"]}, "cvss[0]"),
        ({"cwes": ["CWE-99999999"]}, "cwes[0]"),
        ({"references": ["javascript:alert(1)"]}, "references[0]"),
        ({"credits": [{"name": "x", "type": "HERO"}]}, "credits[0].type"),
        ({"aliases": ["not an id"]}, "aliases[0]"),
    ],
)
def test_bad_content_names_the_field(changes, field):
    with pytest.raises(InvalidInput) as err:
        content_from_dict({**CONTENT, **changes})
    assert err.value.field == field
