"""``akrites import-osv``: files, directories, OSV's zip; bad files counted; idempotent."""

from __future__ import annotations

import json
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from akrites.core.errors import PermissionDenied
from akrites.dedup.models import DedupEntry, EntryKind
from akrites.dedup.services import advisories_import
from akrites.dedup.tests.dedup_cast import parsed, submit

pytestmark = pytest.mark.django_db


def advisory(
    osv_id: str, *, packages: tuple[str, ...] = ("yamlkit",), **extra: Any
) -> dict[str, Any]:
    return {
        "schema_version": "1.6.0",
        "id": osv_id,
        "aliases": [f"CVE-2031-{osv_id[-4:]}"],
        "summary": "Billion laughs in yamlkit",
        "details": "Heap exhaustion in expand_aliases() in yamlkit/loader.py: nested anchors "
        "make yamlkit.load allocate exponentially much memory.",
        "affected": [
            {"package": {"ecosystem": "PyPI", "name": p},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.4.1"}]}]}
            for p in packages
        ],
        "references": [{"type": "FIX", "url": "https://github.com/yamlkit/yamlkit/pull/77"}],
        **extra,
    }  # fmt: skip


def _run(path: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_osv", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_directory_zip_and_file_import_with_bad_files_counted(tmp_path: Path) -> None:
    tree = tmp_path / "tree" / "PyPI"
    tree.mkdir(parents=True)
    (tree / "GHSA-0001.json").write_text(json.dumps(advisory("GHSA-aaaa-bbbb-0001")))
    (tree / "broken.json").write_text("{not json")
    (tree / "noid.json").write_text(json.dumps({"summary": "no id"}))
    out, err = _run(tmp_path / "tree")
    assert "1 added" in out and "2 bad files" in out
    assert "broken.json: not valid JSON" in err and "noid.json: no usable id" in err

    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("GHSA-aaaa-bbbb-0002.json", json.dumps(advisory("GHSA-aaaa-bbbb-0002")))
        zf.writestr("PYSEC-2031-0003.json", json.dumps(advisory("PYSEC-2031-0003")))
    out, _ = _run(archive)
    assert "2 added" in out

    single = tmp_path / "one.json"
    single.write_text(json.dumps(advisory("GHSA-aaaa-bbbb-0001")))
    out, _ = _run(single)
    assert "1 unchanged" in out
    assert DedupEntry.objects.filter(kind=EntryKind.ADVISORY).count() == 3


def test_reimport_updates_in_place_and_withdrawn_advisories_leave(tmp_path: Path) -> None:
    file = tmp_path / "a.json"
    file.write_text(json.dumps(advisory("GHSA-aaaa-bbbb-0004")))
    _run(file)
    changed = advisory("GHSA-aaaa-bbbb-0004", details="A different description now.")
    file.write_text(json.dumps(changed))
    out, _ = _run(file)
    assert "1 updated" in out
    assert DedupEntry.objects.filter(advisory_id="GHSA-aaaa-bbbb-0004").count() == 1
    file.write_text(json.dumps(advisory("GHSA-aaaa-bbbb-0004", withdrawn="2031-01-01T00:00:00Z")))
    out, _ = _run(file)
    assert "1 withdrawn" in out
    assert not DedupEntry.objects.exists()


def test_an_advisory_of_several_packages_gets_an_entry_per_package(system: Any) -> None:
    both = advisory("GHSA-aaaa-bbbb-0005", packages=("yamlkit", "yamlkit-c"))
    advisories_import(actor=system, advisories=[both])
    keys = set(DedupEntry.objects.values_list("key", flat=True))
    assert keys == {
        "adv:GHSA-aaaa-bbbb-0005/pypi/yamlkit",
        "adv:GHSA-aaaa-bbbb-0005/pypi/yamlkit-c",
    }


def test_nothing_importable_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("[]")
    with pytest.raises(CommandError):
        _run(tmp_path)


def test_outsider_cannot_import(outsider: Any) -> None:
    with pytest.raises(PermissionDenied):
        advisories_import(actor=outsider, advisories=[advisory("GHSA-aaaa-bbbb-0006")])
    assert not DedupEntry.objects.exists()


def test_report_of_a_published_bug_is_already_public(
    project: Any, reporter: Any, system: Any
) -> None:
    advisories_import(actor=system, advisories=[advisory("GHSA-aaaa-bbbb-0007")])
    text = (
        "expand_aliases() in yamlkit/loader.py before 2.4.1 exhausts memory when yamlkit.load "
        "reads nested anchors."
    )
    reworded = parsed("Alias bomb", text, fixed=("2.4.1",))
    [(_, result)] = submit(reporter, reworded)
    assert (result.kind, result.advisory_id) == ("already_public", "GHSA-aaaa-bbbb-0007")


def test_alias_named_in_a_report_without_package_matches_exactly(
    reporter: Any, system: Any
) -> None:
    advisories_import(actor=system, advisories=[advisory("GHSA-aaaa-bbbb-0008")])
    named = parsed("Known issue", "Is CVE-2031-0008 fixed everywhere?", purl=None)
    [(_, result)] = submit(reporter, named)
    assert (result.kind, result.advisory_id) == ("already_public", "GHSA-aaaa-bbbb-0008")
