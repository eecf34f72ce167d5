"""The shipped schemas are the upstream files their provenance names, and they ship."""

import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from jsonschema.validators import validator_for

from akrites.core import schemas
from conftest import shared_path

HERE = Path(schemas.__file__).parent


def test_every_schema_file_has_provenance_and_its_sha256_matches():
    record = schemas.provenance()
    on_disk = {p.name for p in HERE.glob("*.json")} - {"provenance.json"}
    assert on_disk == set(record) == set(schemas.FILES.values())
    for name, entry in record.items():
        assert hashlib.sha256(schemas.schema_bytes(name)).hexdigest() == entry["sha256"], name
        assert {"standard", "repository", "commit", "path", "licence"} <= set(entry)


@pytest.mark.parametrize("name", sorted(schemas.FILES))
def test_each_schema_is_itself_a_valid_schema(name):
    doc = schemas.schema(name)
    validator_for(doc).check_schema(doc)


@pytest.mark.parametrize("filename", sorted(schemas.FILES.values()))
def test_the_shipped_copies_are_the_shared_ones(filename):
    shared = shared_path("schemas", filename)
    assert shared.read_bytes() == schemas.schema_bytes(filename)


@pytest.mark.slow
def test_the_wheel_carries_the_schemas(tmp_path):
    """``pip install .`` alone can publish: the built wheel holds every schema file."""
    root = Path(__file__).resolve().parents[3]
    source = tmp_path / "src"  # a copy: the build writes build/ and *.egg-info beside it
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "tests")
    for name in ("akrites", "akrites_cli"):
        shutil.copytree(root / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path), str(source)],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("akrites-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for filename in [*schemas.FILES.values(), "provenance.json", "README.md"]:
        assert f"akrites/core/schemas/{filename}" in names
