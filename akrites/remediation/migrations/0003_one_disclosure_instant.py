"""One disclosure instant per case: the embargo end (``confidentiality.ends``).

``CaseRemediation.disclosure_at`` copied the maintainers' date into remediation, and
``exception_approved_by`` was set only when remediation kept the date itself, without the
confidentiality app. Before they go, a date that no embargo holds becomes the case's embargo
(chosen then, by whoever set it, within a limit that admits it), and a stored embargo whose end
was agreed through remediation is marked chosen. An embargo that moved since (an extension, the
exploited limit, an early lift) keeps its end: it is what publication has followed all along.
Backwards, the chosen embargo ends are copied into ``disclosure_at`` again.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations


def _policy_days(exploited):
    name = "AKRITES_EMBARGO_EXPLOITED_DAYS" if exploited else "AKRITES_EMBARGO_DAYS"
    return int(getattr(settings, name))


def dates_to_embargoes(apps, schema_editor):
    CaseRemediation = apps.get_model("remediation", "CaseRemediation")
    Embargo = apps.get_model("access", "Embargo")
    records = CaseRemediation.objects.filter(disclosure_at__isnull=False).select_related("case")
    for record in records.iterator():
        embargo = Embargo.objects.filter(case_id=record.case_id).first()
        if embargo is None:
            case = record.case
            start = case.maintainers_notified_at or record.updated_at
            limit = start + timedelta(days=_policy_days(case.known_exploited))
            Embargo.objects.create(
                case_id=case.pk,
                starts_at=start,
                ends_at=record.disclosure_at,
                limit_at=max(limit, record.disclosure_at),
                exploited=case.known_exploited,
                chosen_by_id=record.dates_set_by_id,
                chosen_at=record.updated_at,
                updated_at=record.updated_at,
            )
        elif embargo.chosen_at is None:
            Embargo.objects.filter(pk=embargo.pk).update(
                chosen_at=record.updated_at,
                chosen_by_id=embargo.chosen_by_id or record.dates_set_by_id,
            )


def embargoes_to_dates(apps, schema_editor):
    CaseRemediation = apps.get_model("remediation", "CaseRemediation")
    Embargo = apps.get_model("access", "Embargo")
    for embargo in Embargo.objects.filter(chosen_at__isnull=False).iterator():
        CaseRemediation.objects.update_or_create(
            case_id=embargo.case_id, defaults={"disclosure_at": embargo.ends_at}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("remediation", "0002_patch_state"),
        ("access", "0002_embargo_chosen_at"),
        ("cases", "0005_maintainers_notified_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Reversed, the columns come back first (AddField), then the dates are copied in.
        migrations.RunPython(dates_to_embargoes, embargoes_to_dates),
        migrations.RemoveField(model_name="caseremediation", name="disclosure_at"),
        migrations.RemoveField(model_name="caseremediation", name="exception_approved_by"),
    ]
