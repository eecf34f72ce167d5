import ast
from pathlib import Path

import pytest
from django.conf import settings

from akrites.audit.models import AuditEntry
from akrites.cases.lifecycle import BY_NAME, TRANSITIONS, markdown_document
from akrites.cases.models import Case, Status, TimelineEntry
from akrites.cases.services import case_create, case_transition
from akrites.core import layering
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


def _status_names(tree):
    """Names bound to ``akrites.cases.models.Status`` (and to the module) in one module."""
    direct, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "akrites.cases.models":
            direct |= {a.asname or a.name for a in node.names if a.name == "Status"}
        elif isinstance(node, ast.ImportFrom) and node.module == "akrites.cases":
            modules |= {a.asname or a.name for a in node.names if a.name == "models"}
        elif isinstance(node, ast.Import):
            modules |= {a.asname for a in node.names if a.name == "akrites.cases.models"}
    return direct, modules - {None}


def _is_status_member(node, direct, modules):
    if not isinstance(node, ast.Attribute):
        return False
    owner = node.value
    if isinstance(owner, ast.Name):
        return owner.id in direct
    return (
        isinstance(owner, ast.Attribute)
        and owner.attr == "Status"
        and isinstance(owner.value, ast.Name)
        and owner.value.id in modules
    )


def hand_written_status_sets(root):
    """``path:line`` of every set, list or tuple literal naming two or more case statuses in
    the non-test, non-migration code under ``root`` outside ``cases/``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] == "cases" or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        direct, modules = _status_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
                members = [e for e in node.elts if _is_status_member(e, direct, modules)]
                if len(members) >= 2:
                    found.append(f"{root.name}/{rel.as_posix()}:{node.lineno}")
    return found


def test_status_groups_are_named_in_the_lifecycle_only():
    """A group of case statuses means something (open, notified or later, …): it is named
    once in ``cases.lifecycle``, and every other app uses the name."""
    found = hand_written_status_sets(layering.PACKAGE)
    assert not found, "name these status groups in akrites/cases/lifecycle.py:\n" + "\n".join(found)


def test_the_scan_sees_a_hand_written_status_set(tmp_path):
    app = tmp_path / "akrites" / "web"
    app.mkdir(parents=True)
    (app / "a.py").write_text(
        "from akrites.cases.models import Status as S\nX = frozenset({S.NOTIFIED, S.FIXING})\n"
    )
    (app / "b.py").write_text(
        "from akrites.cases import models\n"
        "def f(c):\n    return c.status in (models.Status.NOTIFIED, models.Status.FIXING)\n"
    )
    (app / "c.py").write_text(
        "from akrites.cases.models import Status\nONE = {Status.NOTIFIED}\nOK = [1, 2]\n"
    )
    assert hand_written_status_sets(tmp_path / "akrites") == [
        "akrites/web/a.py:2",
        "akrites/web/b.py:3",
    ]


def test_named_status_groups_keep_the_members_the_apps_wrote_out():
    from akrites.cases import lifecycle as lc

    S = Status
    notified_or_later = {
        S.NOTIFIED, S.ACKNOWLEDGED, S.DISPUTED, S.ESCALATED, S.STEWARDSHIP, S.FIXING,
        S.FIX_READY, S.PRENOTIFIED,
    }  # fmt: skip
    remediation = {
        S.ACCEPTED, S.NOTIFIED, S.ACKNOWLEDGED, S.ESCALATED, S.STEWARDSHIP, S.FIXING, S.FIX_READY
    }  # fmt: skip
    expected = {
        "OPEN": set(S) - {S.REJECTED, S.DUPLICATE, S.ALREADY_PUBLIC, S.DISCLOSED, S.CLOSED},
        "NOT_ACCEPTED": {S.TRIAGE, S.REJECTED, S.DUPLICATE, S.ALREADY_PUBLIC},
        "NOTIFIED_OR_LATER": notified_or_later,
        "DISCLOSURE_PENDING": notified_or_later - {S.DISPUTED},
        "AWAITING_ACKNOWLEDGEMENT": {S.NOTIFIED, S.ESCALATED},
        "FIX_PENDING": {S.ACKNOWLEDGED, S.STEWARDSHIP, S.FIXING},
        "IN_REMEDIATION": remediation,
        "BEFORE_FIX_READY": {S.TRIAGE} | remediation - {S.FIX_READY},
        "PUBLISHED": {S.DISCLOSED, S.CLOSED},
    }
    assert {name: set(getattr(lc, name)) for name in expected} == expected
    assert lc.in_order(lc.OPEN)[:3] == (S.TRIAGE, S.ACCEPTED, S.NOTIFIED)
