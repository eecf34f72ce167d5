"""The ``akrites`` console script, run as a newcomer would (a real process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(args, tmp_path, **kw):
    env = {
        **os.environ,
        "AKRITES_VAR_DIR": str(tmp_path / "var"),
        "AKRITES_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'cli.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "akrites_cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        **kw,
    )


@pytest.mark.slow
def test_migrate_demo_json_and_audit_verify(tmp_path):
    assert _run(["migrate"], tmp_path).returncode == 0
    result = _run(["demo", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    users = json.loads(result.stdout)
    assert any(u["role"] == "sirt_lead" for u in users)
    verify = _run(["audit", "verify"], tmp_path)
    assert verify.returncode == 0 and "audit chain OK" in verify.stdout
    created = _run(
        [
            "createuser",
            "newbie",
            "--password-stdin",
            "--org",
            "nimbus-cloud",
            "--role",
            "member_observer",
        ],
        tmp_path,
        input="a-long-enough-passphrase\n",
    )
    assert created.returncode == 0, created.stderr
    bad = _run(
        ["createuser", "other", "--password-stdin", "--org", "nimbus-cloud", "--role", "overlord"],
        tmp_path,
        input="a-long-enough-passphrase\n",
    )
    assert bad.returncode != 0 and "role" in bad.stderr
    assert (tmp_path / "var" / "keys.json").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "var" / "secret_key").exists()


def test_unknown_command_exits_non_zero(tmp_path):
    assert _run(["frobnicate"], tmp_path).returncode != 0


def test_docs_lifecycle_check_passes():
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "akrites_cli.main", "docs", "lifecycle", "--check"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
