"""Flood protection: a flood becomes one digest per recipient and project.

Reports reach the SIRT (maintainers are told of a case when the SIRT notifies them)."""

from datetime import timedelta

import pytest
from django.core import mail

from akrites.core import clock
from akrites.intake.parsers import PackageRef, ParsedReport
from akrites.intake.services.record import Submission, reports_record
from akrites.notifications.digests import digests_send_due
from akrites.notifications.models import Delivery, DigestItem
from akrites.notifications.tests.helpers import attempt_due, dispatch_all, give_address

pytestmark = pytest.mark.django_db


def _flood(actor, n, purl="pkg:pypi/yamlkit"):
    subs = [
        Submission(
            ParsedReport(
                title=f"XML entity expansion in yamlkit.load (variant {i % 7})",
                source_format="akrites",
                description="Same crash, again.",
                package=PackageRef(purl=purl),
            )
        )
        for i in range(n)
    ]
    return reports_record(actor=actor, submissions=subs)


def _give_addresses(*users):
    for u in users:
        give_address(u)


def test_a_flood_of_1000_reports_yields_one_digest_per_recipient(
    project, reporter, maintainer, sirt, coordinator, settings
):
    settings.AKRITES_DIGEST_DELAY_SECONDS = 300
    _give_addresses(maintainer, sirt, coordinator)
    _flood(reporter, 1000)
    assert dispatch_all() == []  # nothing immediate: it all waits for the digest
    held = DigestItem.objects.filter(user=sirt).count()
    assert held >= 1  # one per new case (fewer if dedup merges reports into one case)
    assert not DigestItem.objects.filter(user=maintainer).exists()  # not told yet
    assert digests_send_due() == []  # the burst may still be arriving
    clock.advance(timedelta(minutes=10))
    assert len(digests_send_due()) == 2
    attempt_due()
    recipients = 2  # the configured bound: one digest each for the two SIRT members
    assert len(mail.outbox) <= recipients
    assert sorted(m.to[0] for m in mail.outbox) == [
        "coordinator@example.org",
        "sirt@example.org",
    ]
    digest = Delivery.objects.get(user=sirt)
    assert (digest.kind, digest.items, digest.status) == ("digest", held, "delivered")
    assert "XML entity" not in mail.outbox[0].body


def test_at_most_one_digest_per_day_per_project(project, reporter, sirt, settings):
    settings.AKRITES_DIGEST_DELAY_SECONDS = 0
    _flood(reporter, 3)
    dispatch_all()
    assert Delivery.objects.get(pk__in=digests_send_due()).user == sirt
    _flood(reporter, 4)
    dispatch_all()
    clock.advance(timedelta(hours=23))
    assert digests_send_due() == []
    clock.advance(timedelta(hours=2))
    (second,) = Delivery.objects.filter(pk__in=digests_send_due())
    assert (second.user, second.items) == (sirt, 4)


def test_two_schedulers_do_not_send_the_same_digest_twice(project, reporter, sirt, settings):
    settings.AKRITES_DIGEST_DELAY_SECONDS = 0
    _flood(reporter, 5)
    dispatch_all()
    first = digests_send_due()
    assert first
    assert digests_send_due() == []
    assert DigestItem.objects.filter(delivery__isnull=True).count() == 0
