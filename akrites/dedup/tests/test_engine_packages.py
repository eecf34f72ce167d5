"""Package keys and families."""

from __future__ import annotations

import pytest

from akrites.dedup.engine.packages import package_family, package_key


@pytest.mark.parametrize(
    ("package", "ecosystem", "key"),
    [
        ("Jw.Util", "PyPI", "pypi/jw-util"),
        ("jw_util", "PyPI", "pypi/jw-util"),
        ("pkg:pypi/Django@4.2", None, "pypi/django"),
        ("pkg:npm/%40scope/Left-Pad", None, "npm/@scope/left-pad"),
        ("PyPI/requests", None, "pypi/requests"),
        ("", "PyPI", None),
        (None, None, None),
    ],
)
def test_package_key(package: str | None, ecosystem: str | None, key: str | None) -> None:
    assert package_key(package, ecosystem) == key


@pytest.mark.parametrize(
    ("key", "family"),
    [
        ("pypi/somelib-gpu", "pypi/somelib"),
        ("pypi/somelib-cpu", "pypi/somelib"),
        ("pypi/somelib-nightly-gpu", "pypi/somelib"),
        ("pypi/somelib-cu118", "pypi/somelib"),
        ("pypi/bigproject-providers-http", "pypi/bigproject"),
        ("pypi/opencv-python-headless", "pypi/opencv-python"),
        ("pypi/nightly", "pypi/nightly"),
        ("pypi/plain", "pypi/plain"),
    ],
)
def test_variants_fold_into_a_family_by_rule(key: str, family: str) -> None:
    assert package_family(key) == family
