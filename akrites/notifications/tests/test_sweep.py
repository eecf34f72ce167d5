from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from akrites.cases.services import case_accept
from akrites.core import clock
from akrites.notifications.lifecycle import SENDING_LEASE
from akrites.notifications.models import Delivery, Event
from akrites.notifications.services.sweep import notifications_sweep
from akrites.notifications.services.transitions import delivery_claim

pytestmark = pytest.mark.django_db


def test_events_whose_dispatch_was_lost_are_dispatched_by_the_sweep(case, sirt, reporter):
    case_accept(actor=sirt, case=case)  # on-commit enqueue never ran (test transaction)
    assert notifications_sweep() == {"events": 0, "deliveries": 0}  # still fresh
    clock.advance(timedelta(minutes=5))
    found = notifications_sweep()
    assert found["events"] == Event.objects.count()
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert Delivery.objects.filter(kind="case.accept", recipient_label="reporter").exists()


def test_overdue_and_abandoned_deliveries_are_requeued(case, sirt, reporter):
    case_accept(actor=sirt, case=case)
    clock.advance(timedelta(minutes=5))
    notifications_sweep()
    for pk in Delivery.objects.values_list("pk", flat=True):  # attempts that then died
        assert delivery_claim(delivery_id=pk, at=clock.now())
    clock.advance(SENDING_LEASE + timedelta(seconds=1))
    assert notifications_sweep()["deliveries"] == Delivery.objects.count()
    assert DBTaskResult.objects.filter(task_path__endswith="attempt_delivery").exists()
