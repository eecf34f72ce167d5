from datetime import timedelta

import pytest

from akrites.cases.services import (
    case_accept,
    case_escalate,
    case_notify_maintainers,
    participant_add,
    participant_revoke,
)
from akrites.core import clock
from akrites.notifications.models import Delivery, DigestItem, Event, Preference
from akrites.notifications.services import notify
from akrites.notifications.services.dispatch import events_dispatch
from akrites.notifications.tests.helpers import dispatch_all

pytestmark = pytest.mark.django_db


def _emails(kind):
    return sorted(
        Delivery.objects.filter(kind=kind, channel="email").values_list(
            "recipient_label", flat=True
        )
    )


def test_accept_tells_the_reporter_now_and_not_the_acting_sirt(case, sirt, reporter, maintainer):
    case_accept(actor=sirt, case=case)
    dispatch_all()
    assert _emails("case.accept") == ["reporter"]


def test_notify_maintainers_reaches_maintainers_now_and_reporter_by_digest(
    case, sirt, reporter, maintainer
):
    case_accept(actor=sirt, case=case)
    case_notify_maintainers(actor=sirt, case=case)
    dispatch_all()
    assert _emails("case.notify_maintainers") == ["maintainer"]
    held = DigestItem.objects.filter(event__kind="case.notify_maintainers")
    assert [i.user.username for i in held] == ["reporter"]
    assert held[0].scope == f"project:{case.project_id}"


def test_restricted_timeline_entries_do_not_reach_reporters(
    case, sirt, coordinator, reporter, maintainer
):
    case_accept(actor=sirt, case=case)
    case_notify_maintainers(actor=sirt, case=case)
    case_escalate(actor=sirt, case=case)
    dispatch_all()
    assert _emails("case.escalate") == ["coordinator", "maintainer"]


def test_revoked_participant_is_no_longer_notified(case, sirt, outsider):
    case_accept(actor=sirt, case=case)
    participant_add(actor=sirt, case=case, user=outsider, role="maintainer")
    participant_revoke(actor=sirt, case=case, user=outsider, role="maintainer")
    case_notify_maintainers(actor=sirt, case=case)
    dispatch_all()
    assert "outsider" not in _emails("case.notify_maintainers")
    assert not DigestItem.objects.filter(user=outsider).exists()


def test_outsider_is_never_a_recipient(case, sirt, outsider, maintainer, reporter):
    case_accept(actor=sirt, case=case)
    case_notify_maintainers(actor=sirt, case=case)
    notify("case.break_embargo", case_id=case.pk, actor=sirt)
    dispatch_all()
    labels = set(Delivery.objects.values_list("recipient_label", flat=True))
    assert "outsider" not in labels
    assert {"maintainer", "reporter"} <= labels


def test_dispatch_is_idempotent(case, sirt, reporter):
    case_accept(actor=sirt, case=case)
    ids = list(Event.objects.values_list("pk", flat=True))
    first = events_dispatch(event_ids=ids)
    assert first
    assert events_dispatch(event_ids=ids) == []
    assert Delivery.objects.count() == len(first)


def test_hourly_quota_holds_the_rest_for_the_digest(case, sirt, reporter, settings):
    settings.AKRITES_NOTIFY_HOURLY_QUOTA = 3
    for _ in range(5):
        notify("case.accept", case_id=case.pk, actor=sirt)
    dispatch_all()
    assert len(_emails("case.accept")) == 3
    assert DigestItem.objects.filter(user=reporter).count() == 2
    clock.advance(timedelta(hours=2))
    notify("case.accept", case_id=case.pk, actor=sirt)
    dispatch_all()
    assert len(_emails("case.accept")) == 4


def test_digest_only_preference_holds_urgent_mail_but_not_critical(case, sirt, reporter):
    Preference.objects.create(user=reporter, digest_only=True)
    notify("case.accept", case_id=case.pk, actor=sirt)
    notify("case.accept", case_id=case.pk, actor=sirt, data={"severity": "critical"})
    dispatch_all()
    assert len(_emails("case.accept")) == 1
    assert DigestItem.objects.filter(user=reporter).count() == 1


def test_critical_report_reaches_the_sirt_at_once_and_not_the_maintainers(case, sirt, maintainer):
    """Maintainers are told of a case when the SIRT notifies them, not of every report that
    arrives (access.policy: the team becomes a party at notification)."""
    notify("report.received", case_id=case.pk, actor=None, data={"severity": "critical"})
    notify("report.received", case_id=case.pk, actor=None)
    dispatch_all()
    assert _emails("report.received") == ["sirt"]
    assert not Delivery.objects.filter(recipient_label="maintainer").exists()
    assert not DigestItem.objects.filter(user=maintainer).exists()


def test_events_without_a_case_go_to_the_sirt_digest(sirt, coordinator, reporter):
    notify("notification.failed", case_id=None, actor=None, data={"delivery": 1})
    dispatch_all()
    assert set(DigestItem.objects.values_list("user__username", "scope")) == {
        ("sirt", "platform"),
        ("coordinator", "platform"),
    }
