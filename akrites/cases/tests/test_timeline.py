"""``timeline_record``: the one way to add a non-transition entry, read back through
``case_timeline`` by exactly the roles its visibility names."""

from __future__ import annotations

import pytest
from django.db import transaction

from akrites.cases.models import TimelineEntry, Visibility
from akrites.cases.selectors import case_timeline
from akrites.cases.services import case_transition, timeline_record
from akrites.core.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(case, sirt):
    for name in ("accept", "notify_maintainers"):
        case = case_transition(actor=sirt, case=case, name=name)
    return case


def _record_each(case, actor):
    for visibility in Visibility.values:
        timeline_record(actor=actor, case=case, kind=f"note_{visibility}", visibility=visibility)


def _notes(viewer, case):
    return {e.kind for e in case_timeline(viewer=viewer, case=case) if e.kind.startswith("note_")}


def test_each_role_reads_the_entries_its_visibility_allows(
    notified, sirt, maintainer, reporter, outsider
):
    _record_each(notified, sirt)
    assert _notes(sirt, notified) == {f"note_{v}" for v in Visibility.values}
    assert _notes(maintainer, notified) == {"note_maintainers", "note_participants", "note_public"}
    assert _notes(reporter, notified) == {"note_participants", "note_public"}
    with pytest.raises(NotFound):
        case_timeline(viewer=outsider, case=notified)


def test_an_entry_names_its_actor_and_keeps_its_reason(notified, maintainer):
    entry = timeline_record(
        actor=maintainer,
        case=notified,
        kind="embargo_date_set",
        visibility=Visibility.PARTICIPANTS,
        reason="ends 2027-01-04 14:00 UTC",
        status=notified.status,
    )
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_label) == (maintainer.pk, "maintainer")
    assert entry.reason == "ends 2027-01-04 14:00 UTC"
    assert entry.old_status == entry.new_status == notified.status


@pytest.mark.parametrize(
    ("kind", "visibility", "reason"),
    [
        ("Embargo ends 2027-01-04", Visibility.MAINTAINERS, ""),
        ("a" * 41, Visibility.MAINTAINERS, ""),
        ("", Visibility.MAINTAINERS, ""),
        ("note", "observers", ""),
        ("note", Visibility.MAINTAINERS, "x" * 10_001),
    ],
)
def test_a_malformed_entry_is_refused_and_nothing_is_written(
    notified, sirt, kind, visibility, reason
):
    before = TimelineEntry.objects.count()
    with pytest.raises(ValueError):
        timeline_record(actor=sirt, case=notified, kind=kind, visibility=visibility, reason=reason)
    assert TimelineEntry.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_an_entry_outside_a_transaction_is_refused(case, sirt):
    before = TimelineEntry.objects.count()
    with pytest.raises(RuntimeError):
        timeline_record(actor=sirt, case=case, kind="note", visibility=Visibility.SIRT)
    assert TimelineEntry.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_an_entry_rolls_back_with_its_callers_transaction(case, sirt):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        timeline_record(actor=sirt, case=case, kind="note", visibility=Visibility.SIRT)
        1 / 0  # noqa: B018 - the caller's change fails after the entry was written
    assert not TimelineEntry.objects.filter(kind="note").exists()
