"""Case.maintainers_notified_at, backfilled from the timeline (the first entry into
``notified`` or ``disclosed``); cases already past notification without such an entry keep
the time they entered their status, as ``access.services.embargo.embargo_start`` did."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

_TOLD = ("notified", "disclosed")
_PAST_NOTIFICATION = (
    "notified", "acknowledged", "disputed", "escalated", "stewardship", "fixing", "fix_ready",
    "prenotified", "disclosed",
)


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    TimelineEntry = apps.get_model("cases", "TimelineEntry")
    first = (
        TimelineEntry.objects.filter(case=OuterRef("pk"), new_status__in=_TOLD)
        .order_by("at", "id")
        .values("at")[:1]
    )
    Case.objects.update(maintainers_notified_at=Subquery(first))
    Case.objects.filter(
        maintainers_notified_at__isnull=True, status__in=_PAST_NOTIFICATION
    ).update(maintainers_notified_at=Coalesce("status_changed_at", "created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0004_case_project_created"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="maintainers_notified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
