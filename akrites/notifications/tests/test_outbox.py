import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from akrites.cases.services import case_accept
from akrites.intake.services import report_create
from akrites.notifications.models import Event
from akrites.notifications.services import notify, notify_each

pytestmark = pytest.mark.django_db


def test_notify_records_the_event_and_enqueues_dispatch_on_commit(
    case, sirt, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = notify("case.accept", case_id=case.pk, actor=sirt, data={"to": "accepted"})
    assert event.data == {"to": "accepted"}
    task = DBTaskResult.objects.get(task_path__endswith="dispatch_events")
    assert task.args_kwargs["kwargs"] == {"event_ids": [event.pk]}


def test_nothing_is_recorded_when_the_transaction_rolls_back(case, sirt):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify("case.accept", case_id=case.pk, actor=sirt)
        raise RuntimeError
    assert not Event.objects.filter(kind="case.accept").exists()


def test_prose_never_enters_the_outbox(case, sirt):
    event = notify(
        "case.accept",
        case_id=case.pk,
        actor=sirt,
        data={"to": "accepted", "title": "Heap overflow in parse()", "n": 3, "Bad Key": "x"},
    )
    assert event.data == {"to": "accepted", "n": 3}


def test_a_failing_queue_does_not_reach_the_caller(
    case, sirt, monkeypatch, django_capture_on_commit_callbacks
):
    class Broken:
        def enqueue(self, **kwargs):
            raise RuntimeError("queue down")

    monkeypatch.setattr("akrites.notifications.tasks.dispatch_events", Broken())
    with django_capture_on_commit_callbacks(execute=True):
        case_accept(actor=sirt, case=case)
    assert Event.objects.filter(kind="case.accept", dispatched_at__isnull=True).exists()


def test_transitions_and_reports_record_events(project, reporter, sirt):
    report = report_create(actor=reporter, title="t", body="b", purl="pkg:pypi/yamlkit")
    case_accept(actor=sirt, case=report.case)
    kinds = list(Event.objects.order_by("pk").values_list("kind", "case_id"))
    assert kinds == [("report.received", report.case.pk), ("case.accept", report.case.pk)]
    assert Event.objects.get(kind="case.accept").data == {"from": "triage", "to": "accepted"}


def test_notify_each_writes_a_batch(case, other_case, system):
    events = notify_each("report.received", case_ids=[case.pk, None, other_case.pk], actor=system)
    assert [e.case_id for e in events] == [case.pk, None, other_case.pk]
