import time

from django.core.management import call_command

from akrites.audit.models import AuditEntry
from akrites.audit.services import AuditEvent, audit_append_many
from akrites.cases.reads import read_log
from akrites.intake.selectors import report_get


def test_every_read_of_embargoed_content_is_audited(client, observed, maintainer, reporter):
    report = observed.reports.get()
    report_get(viewer=reporter, public_id=report.public_id)
    client.force_login(maintainer)
    client.get(f"/api/v1/cases/{observed.human_id}/content")
    client.get(f"/cases/{observed.human_id}/")
    readers = [(e.actor_id, e.action, e.data["ref"]) for e in read_log(human_id=observed.human_id)]
    assert readers == [
        (reporter.pk, "read.report", report.public_id),
        (maintainer.pk, "read.report", report.public_id),
        (maintainer.pk, "read.report", report.public_id),
    ]


def test_who_read_lists_readers_in_under_a_second(observed, maintainer, sirt, capsys):
    from django.db import transaction

    noise = [AuditEvent(sirt, "case.view", "case", f"AKR-2026-{i:05d}") for i in range(20000)]
    with transaction.atomic():
        audit_append_many(noise)
    report_get(viewer=maintainer, public_id=observed.reports.get().public_id)
    assert AuditEntry.objects.count() > 20000
    started = time.perf_counter()
    call_command("audit", "who-read", observed.human_id)
    assert time.perf_counter() - started < 1.0
    out = capsys.readouterr().out
    assert "maintainer  report" in out and "1 readers, 1 reads: maintainer" in out
