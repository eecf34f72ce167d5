"""The data migration from django-otp's plaintext TOTPDevice table to accounts.TotpDevice."""

import importlib
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pyotp
from django.apps import apps
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from akrites.accounts.mfa import mfa_check, secret_base32
from akrites.accounts.models import TotpDevice

move = importlib.import_module("akrites.accounts.migrations.0005_totp_seeds_encrypted")
SEED_HEX = "4142434445464748494a4b4c4d4e4f5051525354"


def _legacy_table_with(user, *, last_t):
    """The table otp_totp left behind, with one confirmed device and its migration records."""
    stamp = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE {q(move.LEGACY_TABLE)} (id integer PRIMARY KEY,"
            " user_id integer NOT NULL, name varchar(64) NOT NULL, confirmed boolean NOT NULL,"
            f" {q('key')} varchar(80)"
            " NOT NULL, step smallint NOT NULL, t0 bigint NOT NULL, digits smallint NOT NULL,"
            " tolerance smallint NOT NULL, drift smallint NOT NULL, last_t bigint NOT NULL,"
            f" throttling_failure_timestamp {stamp} NULL, throttling_failure_count integer"
            f" NOT NULL, created_at {stamp} NULL, last_used_at {stamp} NULL)"
        )
    legacy = move.legacy_model()
    legacy.objects.create(
        id=7,
        user_id=user.pk,
        name="phone",
        confirmed=True,
        key=SEED_HEX,
        step=30,
        t0=0,
        digits=6,
        tolerance=1,
        drift=0,
        last_t=last_t,
        throttling_failure_timestamp=None,
        throttling_failure_count=0,
        created_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        last_used_at=None,
    )
    MigrationRecorder(connection).record_applied("otp_totp", "0001_initial")


def test_old_devices_move_encrypted_and_the_plaintext_table_is_dropped(maintainer):
    used_step = int(time.time()) // 30
    _legacy_table_with(maintainer, last_t=used_step)
    move.move_seeds(apps, SimpleNamespace(connection=connection))
    assert move.LEGACY_TABLE not in connection.introspection.table_names()
    assert not MigrationRecorder(connection).migration_qs.filter(app="otp_totp").exists()
    device = TotpDevice.objects.get(user=maintainer)
    assert device.confirmed and device.name == "phone"
    assert device.bin_key == bytes.fromhex(SEED_HEX)
    assert device.created_at == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {connection.ops.quote_name('key')} FROM accounts_totpdevice")
        raw = bytes(cur.fetchone()[0])
    assert SEED_HEX.encode() not in raw and bytes.fromhex(SEED_HEX) not in raw
    # The code already used with the old device stays used; the next one works.
    totp = pyotp.TOTP(secret_base32(device))
    assert mfa_check(actor=maintainer, code=totp.at(used_step * 30)) is None
    TotpDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    assert mfa_check(actor=maintainer, code=totp.at((used_step + 1) * 30)) is not None


def test_a_new_install_has_nothing_to_move(db):
    move.move_seeds(apps, SimpleNamespace(connection=connection))
    assert not TotpDevice.objects.exists()
