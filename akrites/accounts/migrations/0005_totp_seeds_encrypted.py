"""Move django-otp's TOTP devices (seed stored as plaintext hex) into accounts.TotpDevice,
whose seed is encrypted at rest, then drop the old table so no copy of a seed remains.

``django_otp.plugins.otp_totp`` is no longer installed, so its table is read through an
unmanaged stand-in model. Devices keep their counters (``last_t``: a used code stays used)
and throttling state. Sessions verified with an old device ask for a code once more.
Not reversible in data: the old table is not recreated (its plaintext is what we remove).
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.migrations.recorder import MigrationRecorder

LEGACY_TABLE = "otp_totp_totpdevice"
_COPIED = (
    "name", "confirmed", "step", "t0", "digits", "tolerance", "drift", "last_t",
    "throttling_failure_timestamp", "throttling_failure_count", "last_used_at",
)


def legacy_model():
    """otp_totp.TOTPDevice's columns, in a registry of its own (never the project's)."""

    class Meta:
        apps = Apps()
        app_label = "otp_totp"
        db_table = LEGACY_TABLE
        managed = False

    fields = {
        "user_id": models.IntegerField(),
        "name": models.CharField(max_length=64),
        "confirmed": models.BooleanField(),
        "key": models.CharField(max_length=80),
        "step": models.PositiveSmallIntegerField(),
        "t0": models.BigIntegerField(),
        "digits": models.PositiveSmallIntegerField(),
        "tolerance": models.PositiveSmallIntegerField(),
        "drift": models.SmallIntegerField(),
        "last_t": models.BigIntegerField(),
        "throttling_failure_timestamp": models.DateTimeField(null=True),
        "throttling_failure_count": models.PositiveIntegerField(),
        "created_at": models.DateTimeField(null=True),
        "last_used_at": models.DateTimeField(null=True),
    }
    return type("LegacyTOTPDevice", (models.Model,), {"__module__": __name__, "Meta": Meta, **fields})


def move_seeds(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    alias = connection.alias
    device_model = apps.get_model("accounts", "TotpDevice")
    for old in legacy_model().objects.using(alias).order_by("id"):
        new = device_model.objects.using(alias).create(
            user_id=old.user_id, key=bytes.fromhex(old.key), **{f: getattr(old, f) for f in _COPIED}
        )
        # created_at is auto_now_add: keep the original enrolment time.
        device_model.objects.using(alias).filter(pk=new.pk).update(created_at=old.created_at)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(LEGACY_TABLE)}")
    # The app is gone with its table: re-installing it would create both afresh.
    MigrationRecorder(connection).migration_qs.filter(app="otp_totp").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_totpdevice")]

    operations = [migrations.RunPython(move_seeds, migrations.RunPython.noop)]
