"""The worker publishes only approved revisions, at their time, exactly once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from akrites.audit.models import AuditEntry
from akrites.core import clock
from akrites.disclosure import instant as instant_module
from akrites.disclosure.models import Advisory, AdvisoryEvent, PublicAdvisory, PublishedDocument
from akrites.disclosure.services import (
    advisory_reserve_cve,
    advisory_schedule,
    advisory_update,
    publish_due,
)
from akrites.disclosure.services import publish as publish_module
from akrites.disclosure.tests.conftest import (
    CONTENT,
    after_instant,
    approve,
    make_draft,
    make_ready,
)


def test_a_saved_draft_is_never_published_by_the_worker(draft, ready_case, system):
    """The reproduction: a draft saved for a case whose instant has come, nobody approved."""
    with after_instant(ready_case):
        assert publish_due(actor=system) == []
    assert not PublicAdvisory.objects.exists() and not PublishedDocument.objects.exists()
    assert Advisory.objects.get(pk=draft.pk).state == "draft"
    ready_case.refresh_from_db()
    assert ready_case.status == "fix_ready"


def test_a_draft_of_a_case_disclosed_by_break_embargo_is_not_published_either(
    draft, ready_case, sirt, system
):
    from akrites.cases.services import case_transition

    case_transition(actor=sirt, case=ready_case, name="break_embargo", reason="exploited")
    assert publish_due(actor=system) == []
    assert not PublicAdvisory.objects.exists()


def test_an_approval_for_the_instant_is_published_by_the_worker_once(
    draft, ready_case, sirt, system
):
    approved = approve(ready_case, sirt)
    assert approved.state == "approved"
    assert publish_due(actor=system) == []  # before the instant
    with after_instant(ready_case):
        published = publish_due(actor=system)
        assert publish_due(actor=system) == []  # idempotent
    public = PublicAdvisory.objects.get()
    assert published == [public.public_id]
    assert Advisory.objects.get(pk=draft.pk).state == "published"
    assert AuditEntry.objects.filter(action="advisory.publish").count() == 1
    event = AdvisoryEvent.objects.get(name="publish")
    assert (event.old_state, event.new_state, event.actor_label) == (
        "approved",
        "published",
        "system:test",
    )


def test_editing_after_approval_voids_it_and_the_worker_publishes_nothing(
    draft, ready_case, sirt, maintainer, system
):
    approve(ready_case, sirt)
    edited = advisory_update(actor=maintainer, advisory=draft, changes={"summary": "Changed"})
    assert edited.state == "draft" and edited.revision == draft.revision + 1
    void = AuditEntry.objects.get(action="advisory.void_approval")
    assert void.data["from"] == "approved" and void.data["to"] == "draft"
    assert void.actor_label == maintainer.username
    with after_instant(ready_case):
        assert publish_due(actor=system) == []
    assert not PublicAdvisory.objects.exists()


def test_an_edit_that_changes_nothing_keeps_the_approval(draft, ready_case, sirt, maintainer):
    approve(ready_case, sirt)
    same = advisory_update(
        actor=maintainer, advisory=draft, changes={"summary": "Billion laughs in yamlkit.load"}
    )
    assert same.state == "approved" and same.revision == draft.revision


def test_reserving_a_cve_id_after_approval_voids_it(draft, ready_case, sirt, system):
    from akrites.disclosure.cna.local import LocalBlock

    approve(ready_case, sirt)
    block = LocalBlock(ids=["CVE-2026-50000", "CVE-2027-50000"])
    advisory_reserve_cve(actor=sirt, advisory=draft, backend=block)
    assert Advisory.objects.get(pk=draft.pk).state == "draft"
    with after_instant(ready_case):
        assert publish_due(actor=system) == []


def test_an_approved_draft_changed_behind_the_services_is_not_published(
    draft, ready_case, sirt, system, caplog
):
    """Defence in depth: the approval's digest must still match what would be published."""
    approve(ready_case, sirt)
    Advisory.objects.filter(pk=draft.pk).update(content='{"summary": "Tampered"}')
    with after_instant(ready_case):
        assert publish_due(actor=system) == []
    assert not PublicAdvisory.objects.exists()
    assert "conflict" in caplog.text and "Tampered" not in caplog.text


def test_a_worker_with_a_stale_list_publishes_nothing_twice(
    draft, ready_case, sirt, system, monkeypatch
):
    """Two workers: the second read its candidates before the first published."""
    approve(ready_case, sirt)
    with after_instant(ready_case):
        stale = publish_module._candidates()
        assert len(publish_due(actor=system)) == 1
        monkeypatch.setattr(publish_module, "_candidates", lambda: stale)
        assert publish_due(actor=system) == []
    assert PublicAdvisory.objects.count() == 1 and PublishedDocument.objects.count() == 5
    assert AuditEntry.objects.filter(action="advisory.publish").count() == 1


def test_the_approval_follows_the_disclosure_instant_when_it_moves(
    draft, ready_case, sirt, maintainer, system, monkeypatch
):
    monkeypatch.setattr(instant_module, "embargo_end", lambda case: None)
    first = clock.now() + timedelta(days=3)
    advisory_schedule(actor=maintainer, advisory=draft, disclose_at=first)
    approve(ready_case, sirt)
    later = first + timedelta(days=2)
    advisory_schedule(actor=maintainer, advisory=draft, disclose_at=later)
    assert Advisory.objects.get(pk=draft.pk).state == "approved"  # a date is not content
    with clock.frozen(first + timedelta(minutes=1)):
        assert publish_due(actor=system) == []
    with clock.frozen(later):
        assert len(publish_due(actor=system)) == 1


def test_one_failing_advisory_does_not_hold_back_the_others(
    ready_case, other_case, sirt, system, monkeypatch
):
    make_draft(ready_case, sirt)
    approve(ready_case, sirt)
    make_ready(other_case, system)
    make_draft(other_case, sirt, {**CONTENT, "summary": "Overflow in rivet"})
    approve(other_case, sirt)
    real = publish_module.publish_locked

    def failing(*, actor, advisory, backend):
        if advisory.case_id == ready_case.pk:
            from akrites.disclosure.cna import CnaError

            raise CnaError("CVE Services cannot be reached (publish)")
        return real(actor=actor, advisory=advisory, backend=backend)

    monkeypatch.setattr(publish_module, "publish_locked", failing)
    instant = max(
        instant_module.disclosure_instant(ready_case), instant_module.disclosure_instant(other_case)
    )
    with clock.frozen(instant + timedelta(seconds=1)):
        assert len(publish_due(actor=system)) == 1
    assert Advisory.objects.get(case=ready_case).state == "approved"  # retried next run


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_workers_racing_publish_once(ready_case, sirt, system):
    make_draft(ready_case, sirt)
    approve(ready_case, sirt)
    start = threading.Barrier(2)
    results = []

    def worker() -> None:
        try:
            start.wait()
            results.append(publish_due(actor=system))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    with after_instant(ready_case):  # the clock is process-wide
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert sorted(len(r) for r in results) == [0, 1]
    assert PublicAdvisory.objects.count() == 1
    assert AuditEntry.objects.filter(action="advisory.publish").count() == 1
