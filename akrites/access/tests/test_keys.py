"""Key rotation over every encrypted column, found through the app registry."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from akrites.core import crypto, rotation
from akrites.core.fields import keyring
from akrites.intake.models import Report
from conftest import TEST_PASSWORD


@pytest.fixture
def key_file(tmp_path, settings):
    path = tmp_path / "keys.json"
    crypto.write_keyring(path, crypto.new_keyring())
    settings.AKRITES_KEYS_FILE = str(path)
    settings.AKRITES_ENCRYPTION_KEYS = None
    crypto.reset_cache()
    yield path
    crypto.reset_cache()


def _raw_kids():
    kids = set()
    for cols in rotation.encrypted_models():
        table = connection.ops.quote_name(cols.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in cols.columns)
        with connection.cursor() as cur:
            cur.execute(f"SELECT {names} FROM {table}")
            for row in cur.fetchall():
                kids |= {crypto.key_id_of(bytes(v)) for v in row if v is not None}
    return kids


def test_every_encrypted_model_is_discovered():
    labels = {c.model._meta.label for c in rotation.encrypted_models()}
    assert {
        "intake.Report",
        "intake.Attachment",
        "cases.Case",
        "cases.TimelineEntry",
        "access.EmbargoChange",
        "access.Sbom",
        "accounts.TotpDevice",
    } <= labels


def test_rotate_then_retire(key_file, observed, capsys):
    old = keyring().active
    titles = {r.pk: (r.title, r.body) for r in Report.objects.all()}
    assert _raw_kids() == {old}
    call_command("keys", "rotate", "--batch", "2")
    new = json.loads(key_file.read_text())["active"]
    assert new != old and _raw_kids() == {new}
    assert {r.pk: (r.title, r.body) for r in Report.objects.all()} == titles
    with pytest.raises(CommandError):
        call_command("keys", "retire", new)  # the active key
    call_command("keys", "retire", old)
    assert old not in json.loads(key_file.read_text())["keys"]
    crypto.reset_cache()
    assert {r.pk: (r.title, r.body) for r in Report.objects.all()} == titles
    call_command("keys", "status")
    assert f"active key: {new}" in capsys.readouterr().out


def test_retire_refuses_a_key_still_in_use(key_file, case):
    old = keyring().active
    crypto.write_keyring(key_file, keyring().with_new_active_key())
    crypto.reset_cache()
    with pytest.raises(CommandError, match="still use"):
        call_command("keys", "retire", old)
    assert old in json.loads(key_file.read_text())["keys"]


def test_keys_from_the_environment_cannot_be_rotated_by_file(settings, case):
    settings.AKRITES_ENCRYPTION_KEYS = keyring().to_json()
    with pytest.raises(CommandError, match="AKRITES_ENCRYPTION_KEYS"):
        call_command("keys", "rotate")


@pytest.mark.mfa
def test_rotation_reencrypts_totp_seeds_and_mfa_survives_retiring(key_file, client, sirt):
    from akrites.access.tests.conftest import code_for
    from akrites.accounts.mfa import mfa_reset
    from akrites.accounts.models import TotpDevice

    device = mfa_reset(actor=sirt, user=sirt, key_hex="5a" * 20)
    old = keyring().active
    call_command("keys", "rotate")
    new = json.loads(key_file.read_text())["active"]
    assert _raw_kids() == {new}
    call_command("keys", "retire", old)
    crypto.reset_cache()
    assert TotpDevice.objects.get(pk=device.pk).bin_key == bytes.fromhex("5a" * 20)
    client.post("/login/", {"username": sirt.username, "password": TEST_PASSWORD})
    r = client.post("/account/mfa/", {"code": code_for(sirt), "next": "/sirt/queue/"})
    assert r.status_code == 302 and r["Location"] == "/sirt/queue/"
    assert client.get("/sirt/queue/").status_code == 200
