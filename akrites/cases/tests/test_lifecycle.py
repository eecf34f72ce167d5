from pathlib import Path

import pytest
from django.conf import settings

from akrites.audit.models import AuditEntry
from akrites.cases.lifecycle import BY_NAME, TRANSITIONS, markdown_document
from akrites.cases.models import Case, Status, TimelineEntry
from akrites.cases.services import case_create, case_transition
from akrites.core.errors import Conflict, InvalidInput


def _path_to(status):
    """A shortest sequence of transition names from triage to ``status``."""
    frontier, seen = [(Status.TRIAGE, [])], {Status.TRIAGE}
    while frontier:
        current, path = frontier.pop(0)
        if current == status:
            return path
        for t in TRANSITIONS:
            if current in t.sources and t.target not in seen:
                seen.add(t.target)
                frontier.append((t.target, [*path, t.name]))
    raise AssertionError(f"{status} unreachable")


def _case_in(status, system, project, other_original=None):
    case = case_create(actor=system, project=project, title="t")
    for name in _path_to(status):
        case_transition(
            actor=system,
            case=case,
            name=name,
            reason="because",
            duplicate_of=other_original if name == "mark_duplicate" else None,
        )
    return Case.objects.get(pk=case.pk)


LEGAL = [(source, t.name) for t in TRANSITIONS for source in sorted(t.sources)]
ILLEGAL = [
    (status, t.name) for t in TRANSITIONS for status in Status.values if status not in t.sources
]


def test_every_status_is_reachable():
    for status in Status.values:
        _path_to(status)


@pytest.mark.parametrize(("source", "name"), LEGAL)
def test_every_legal_transition(source, name, system, project):
    original = case_create(actor=system, project=project, title="original")
    case = _case_in(source, system, project, other_original=original)
    before = TimelineEntry.objects.filter(case=case).count()
    updated = case_transition(
        actor=system,
        case=case,
        name=name,
        reason="because",
        duplicate_of=original if name == "mark_duplicate" else None,
    )
    assert updated.status == BY_NAME[name].target
    entry = TimelineEntry.objects.filter(case=case).order_by("-id").first()
    assert TimelineEntry.objects.filter(case=case).count() == before + 1
    assert (entry.old_status, entry.new_status, entry.reason) == (source, updated.status, "because")
    assert entry.actor_label == "system:test"
    assert AuditEntry.objects.filter(action=f"case.{name}", object_id=case.human_id).exists()


@pytest.mark.parametrize(("status", "name"), ILLEGAL)
def test_illegal_transition_raises_and_changes_nothing(status, name, system, project):
    original = case_create(actor=system, project=project, title="original")
    case = _case_in(status, system, project, other_original=original)
    timeline, audit = TimelineEntry.objects.count(), AuditEntry.objects.count()
    with pytest.raises(Conflict):
        case_transition(
            actor=system,
            case=case,
            name=name,
            reason="because",
            duplicate_of=original if name == "mark_duplicate" else None,
        )
    assert Case.objects.get(pk=case.pk).status == status
    assert (TimelineEntry.objects.count(), AuditEntry.objects.count()) == (timeline, audit)


def test_unknown_transition_and_missing_reason(system, project):
    case = case_create(actor=system, project=project, title="t")
    with pytest.raises(InvalidInput) as exc:
        case_transition(actor=system, case=case, name="teleport")
    assert exc.value.field == "transition"
    with pytest.raises(InvalidInput) as exc:
        case_transition(actor=system, case=case, name="reject", reason="  ")
    assert exc.value.field == "reason"
    assert Case.objects.get(pk=case.pk).status == Status.TRIAGE


def test_duplicate_needs_a_valid_original(system, project):
    case = case_create(actor=system, project=project, title="t")
    with pytest.raises(InvalidInput, match="name the case"):
        case_transition(actor=system, case=case, name="mark_duplicate")
    with pytest.raises(InvalidInput, match="itself"):
        case_transition(actor=system, case=case, name="mark_duplicate", duplicate_of=case)
    original = case_create(actor=system, project=project, title="o")
    case_transition(actor=system, case=case, name="mark_duplicate", duplicate_of=original)
    assert Case.objects.get(pk=case.pk).duplicate_of == original


def test_disclose_sets_disclosed_at(system, project):
    case = _case_in(Status.DISCLOSED, system, project)
    assert case.disclosed_at is not None


def test_lifecycle_doc_is_generated_from_the_table():
    path = Path(settings.BASE_DIR) / "docs" / "lifecycle.md"
    assert path.read_text(encoding="utf-8") == markdown_document(), (
        "docs/lifecycle.md is stale: run `akrites docs lifecycle`"
    )


def test_a_status_written_behind_the_table_is_refused(case):
    """The runtime side of the table (core.stateguard): every other way to change a case's
    status fails, so the suite proves every service goes through ``case_transition``."""
    from akrites.core.stateguard import StateWriteOutsideTable

    case.status = Status.ACCEPTED
    with pytest.raises(StateWriteOutsideTable):
        case.save()
    with pytest.raises(StateWriteOutsideTable):
        Case.objects.filter(pk=case.pk).update(status=Status.DISCLOSED)
    with pytest.raises(StateWriteOutsideTable):
        Case.objects.bulk_update([case], ["status"])
    assert Case.objects.get(pk=case.pk).status == Status.TRIAGE
    case.refresh_from_db()
    case.title = "renamed"  # other fields save as before
    case.save()
