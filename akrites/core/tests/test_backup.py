"""The restore drill: back up, change everything, restore, compare every table, verify audit."""

import json

import pytest
from django.core.management import call_command

from akrites.audit.services import audit_verify
from akrites.cases.models import Case
from akrites.core.backup import BackupError, backup_create, backup_restore, checksums_now
from akrites.demo.loader import load_demo


@pytest.mark.django_db(transaction=True)
def test_restore_drill_brings_back_every_table_and_a_valid_audit_chain(tmp_path, settings, system):
    settings.VAR_DIR = tmp_path
    load_demo()
    before = checksums_now()
    result = backup_create(directory=tmp_path / "backups")
    manifest = json.loads(result.manifest.read_text())
    assert manifest["tables"] == before
    assert result.path.stat().st_mode & 0o777 == 0o600

    # Life goes on after the backup: new rows, changed rows.
    from akrites.cases.services import case_create
    from akrites.projects.models import Project

    case_create(actor=system, project=Project.objects.get(slug="rivet"), title="after the backup")
    from akrites.cases.services import case_transition

    for case in Case.objects.filter(status="triage"):
        case_transition(actor=system, case=case, name="accept")
    assert checksums_now() != before

    backup_restore(path=result.path)
    assert checksums_now() == before
    assert audit_verify().ok
    assert not Case.objects.filter(title__isnull=True).exists()  # connection usable again


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_tampered_backup(tmp_path, project):
    result = backup_create(directory=tmp_path)
    with result.path.open("ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(BackupError, match="does not match"):
        backup_restore(path=result.path)


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_commands(tmp_path, project, capsys):
    call_command("backup", "--dir", str(tmp_path))
    out = capsys.readouterr().out
    assert "backup written" in out and "keys.json" in out
    dump = next(p for p in tmp_path.iterdir() if not p.name.endswith(".manifest.json"))
    call_command("restore", str(dump), "--yes")
    assert "checksums match; audit chain OK" in capsys.readouterr().out
