"""Embargo.chosen_at: when someone chose the end (``embargo_set_date``), so the agreed
disclosure instant is known without a second stored copy (remediation's ``disclosure_at``
goes in ``remediation.0003``). Backfilled from the last update of the embargoes whose end
someone chose."""

from django.db import migrations, models
from django.db.models import F


def backfill(apps, schema_editor):
    Embargo = apps.get_model("access", "Embargo")
    Embargo.objects.filter(chosen_by__isnull=False).update(chosen_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="embargo",
            name="chosen_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
