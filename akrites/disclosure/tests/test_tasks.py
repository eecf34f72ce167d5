from akrites.core.periodic import jobs
from akrites.disclosure.models import PublicAdvisory
from akrites.disclosure.tests.conftest import after_instant, approve


def test_publication_is_a_registered_periodic_job():
    job = next(j for j in jobs() if j.name == "disclosure.publish_due")
    assert job.task == "akrites.disclosure.tasks.publish_due"


def test_the_task_publishes_due_approved_advisories(draft, ready_case, sirt):
    from akrites.disclosure.tasks import publish_due

    with after_instant(ready_case):
        assert publish_due.call() == []  # merely saved: never published by the worker
    approve(ready_case, sirt)
    with after_instant(ready_case):
        result = publish_due.call()
    assert result == [PublicAdvisory.objects.get().public_id]
