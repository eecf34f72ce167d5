"""Decisions through the database (the intake's path), and the SIRT's split and merge."""

from __future__ import annotations

from typing import Any

import pytest

from akrites.access.policy import allowed
from akrites.audit.models import AuditEntry
from akrites.cases.models import Case, CaseParticipant, Status
from akrites.core.errors import NotFound
from akrites.dedup.models import DedupLabel, Label
from akrites.dedup.services import case_merge, report_split
from akrites.dedup.tests.dedup_cast import (
    BACKGROUND,
    BOILERPLATE,
    FIRST,
    REWORDED,
    parsed,
    sarif,
    submit,
)
from akrites.intake.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def background(project: Any, reporter: Any) -> None:
    submit(reporter, *BACKGROUND)


def test_same_bug_worded_three_ways_joins_one_case(background: None, reporter: Any) -> None:
    [(first, _)] = submit(reporter, FIRST)
    results = submit(reporter, *REWORDED)
    assert [r.kind for _, r in results] == ["duplicate"] * 3
    assert {r.case for _, r in results} == {first.case}
    assert all(r.evidence for _, r in results)
    assert sorted(rep.credit_rank or 0 for rep, _ in results) == [2, 3, 4]


def test_distinct_bugs_with_identical_boilerplate_stay_apart(
    background: None, reporter: Any
) -> None:
    submit(reporter, FIRST)
    one = parsed("Parser", BOILERPLATE + "the `merge_keys` helper reads out of bounds when a "
                 "mapping is truncated.", fixed=("2.5.0",))  # fmt: skip
    two = parsed("Emitter", BOILERPLATE + "the `emit_scalar` writer follows symlinks when "
                 "dumping to a path, overwriting arbitrary files.", fixed=("2.5.1",))  # fmt: skip
    (_, a), (_, b) = submit(reporter, one, two)
    assert (a.kind, b.kind) == ("new", "new")


def test_sarif_rerun_of_the_same_scan_is_a_duplicate(background: None, reporter: Any) -> None:
    [(first, _)] = submit(reporter, sarif("py/sql-injection", "yamlkit/db.py", 40, "9f2c1e77"))
    [(_, rerun)] = submit(reporter, sarif("py/sql-injection", "yamlkit/db.py", 42, "9f2c1e77"))
    assert rerun.kind == "duplicate"
    assert rerun.case == first.case
    assert any(e.startswith("fingerprint:") for e in rerun.evidence)


TRACE_A = (
    "==1==ERROR: AddressSanitizer: heap-buffer-overflow",
    "#0 0x4f5a2c in read_chunk_header /src/yamlkit/chunk.c:123:9",
    "#1 0x4f6b10 in parse_chunks /src/yamlkit/chunk.c:201:5",
    "#2 0x4f7c22 in yk_load /src/yamlkit/load.c:88:3",
)
TRACE_B = (
    "#0 0x55d1aa in malloc",
    "#1 0x55d2bb in read_chunk_header /build/yamlkit-2.0/chunk.c:130:11",
    "#2 0x55d3cc in parse_chunks /build/yamlkit-2.0/chunk.c:207:2",
    "#3 0x55d4dd in yk_load /build/yamlkit-2.0/load.c:90:7",
)


def test_stack_trace_variants_of_one_crash_are_duplicates(background: None, reporter: Any) -> None:
    [(first, _)] = submit(reporter, parsed("Fuzzer crash", "Crash in the chunk reader.",
                                           stack_trace=TRACE_A))  # fmt: skip
    [(_, again)] = submit(reporter, parsed("Fuzzer finding", "Heap overflow found by our fuzzer.",
                                           stack_trace=TRACE_B))  # fmt: skip
    assert again.kind == "duplicate"
    assert again.case == first.case
    assert "stack-signature" in again.evidence


def test_match_in_another_project_is_only_related(
    project: Any, other_project: Any, reporter: Any
) -> None:
    fix = "https://github.com/yamlkit/yamlkit/commit/4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    original = parsed("Billion laughs", FIRST.description, references=(fix,),
                      identifiers=("CVE-2031-0101",))  # fmt: skip
    [(first, _)] = submit(reporter, original)
    vendored = parsed("Vendored yamlkit", FIRST.description, purl="pkg:cargo/rivet",
                      references=(fix,), identifiers=("CVE-2031-0101",))  # fmt: skip
    [(report, result)] = submit(reporter, vendored)
    assert result.kind == "new"
    assert _case(first).human_id in dict(result.related)
    assert report.case != first.case


def test_copies_within_one_batch_become_one_case(project: Any, reporter: Any) -> None:
    results = submit(reporter, FIRST, REWORDED[0], REWORDED[1])
    first_key = results[0][0].public_id
    assert [r.kind for _, r in results] == ["new", "duplicate", "duplicate"]
    assert {r.duplicate_of for _, r in results[1:]} <= {first_key, results[1][0].public_id}
    assert {rep.case_id for rep, _ in results} == {results[0][0].case_id}


def _case(report: Report) -> Case:
    assert report.case is not None
    return report.case


def _two_cases(reporter: Any, other_reporter: Any) -> tuple[Report, Report]:
    [(a, _)] = submit(reporter, FIRST)
    other = parsed("Emitter", BOILERPLATE + "the `emit_scalar` writer follows symlinks.")
    [(b, _)] = submit(other_reporter, other)
    return a, b


@pytest.fixture
def finder(orgs: dict[str, Any], system: Any) -> Any:
    from akrites.accounts.models import User
    from akrites.orgs.services import membership_add

    user = User.objects.create_user(username="finder2", password="x-test-password-1")
    membership_add(actor=system, org=orgs["finder"], user=user, role="reporter")
    return user


def test_merge_moves_reports_keeps_first_credit_and_labels_pair(
    project: Any, reporter: Any, finder: Any, sirt: Any
) -> None:
    a, b = _two_cases(reporter, finder)
    target = case_merge(actor=sirt, source=_case(b), target=_case(a), reason="same alias bomb")
    b.refresh_from_db()
    assert b.case == target and b.credit_rank == 2
    assert Report.objects.get(pk=a.pk).credit_rank == 1
    assert target.status != Status.DUPLICATE
    source = Case.objects.filter(duplicate_of=target).get()
    assert source.status == Status.DUPLICATE
    label = DedupLabel.objects.get()
    assert (label.key_a, label.key_b, label.label) == (b.public_id, a.public_id, Label.DUPLICATE)
    assert label.reason == "same alias bomb"
    # The later finder is a co-reporter: sees the case, not the other reports.
    assert CaseParticipant.objects.filter(case=target, user=finder, role="reporter").exists()
    assert allowed(finder, "case.view", target)
    assert not allowed(finder, "case.view_reports", target)
    assert AuditEntry.objects.filter(action="case.merge", object_id=source.human_id).exists()


def test_split_moves_the_report_to_a_new_case_and_labels_pair(
    project: Any, reporter: Any, sirt: Any
) -> None:
    results = submit(reporter, FIRST, REWORDED[0])
    first, second = (rep for rep, _ in results)
    assert first.case_id == second.case_id
    new = report_split(actor=sirt, report=second, reason="different bug after all")
    second.refresh_from_db()
    assert second.case == new and new.status == Status.TRIAGE and second.credit_rank == 1
    assert Report.objects.get(pk=first.pk).credit_rank == 1
    label = DedupLabel.objects.get()
    assert (label.key_a, label.key_b, label.label) == (
        second.public_id, first.public_id, Label.NOT_DUPLICATE,
    )  # fmt: skip


def test_outsider_cannot_split_or_merge_and_nothing_changes(
    project: Any, reporter: Any, finder: Any, outsider: Any
) -> None:
    a, b = _two_cases(reporter, finder)
    before = list(Report.objects.values_list("pk", "case_id", "credit_rank").order_by("pk"))
    with pytest.raises(NotFound):
        case_merge(actor=outsider, source=_case(b), target=_case(a), reason="x")
    with pytest.raises(NotFound):
        report_split(actor=outsider, report=a, reason="x")
    assert list(Report.objects.values_list("pk", "case_id", "credit_rank").order_by("pk")) == before
    assert not DedupLabel.objects.exists()


def test_maintainer_may_not_merge_cases_in_triage(
    project: Any, reporter: Any, finder: Any, maintainer: Any
) -> None:
    a, b = _two_cases(reporter, finder)
    with pytest.raises(NotFound):  # in triage the maintainers are no party yet
        case_merge(actor=maintainer, source=_case(b), target=_case(a), reason="x")
    assert Report.objects.get(pk=b.pk).case_id == b.case_id


def test_merge_ranks_every_finder_in_arrival_order_and_keeps_both_as_reporters(
    project: Any, reporter: Any, finder: Any, sirt: Any
) -> None:
    from akrites.access.standing import case_roles
    from akrites.cases.services import case_transition

    first, later = _two_cases(reporter, finder)
    # The later finder's case was accepted first; the earlier one waits in triage and is
    # merged into it: the earlier finder is still the first finder of the surviving case.
    case_transition(actor=sirt, case=_case(later), name="accept")
    target = case_merge(actor=sirt, source=_case(first), target=_case(later), reason="same bug")
    ranks = dict(Report.objects.filter(case=target).values_list("public_id", "credit_rank"))
    assert ranks == {first.public_id: 1, later.public_id: 2}
    assert "reporter" in case_roles(reporter, target)
    assert "reporter" in case_roles(finder, target)


def test_merge_leaves_an_entry_in_both_timelines(
    project: Any, reporter: Any, finder: Any, sirt: Any
) -> None:
    from akrites.cases.models import TimelineEntry, Visibility
    from akrites.cases.selectors import case_timeline

    a, b = _two_cases(reporter, finder)
    source, target = _case(b), _case(a)
    case_merge(actor=sirt, source=source, target=target, reason="same alias bomb")
    # The source: its transition to duplicate, for every party (its reporter learns why).
    marked = TimelineEntry.objects.get(case=source, new_status=Status.DUPLICATE)
    assert (marked.kind, marked.visibility) == ("transition", Visibility.PARTICIPANTS)
    # The target: the SIRT's judgement for the SIRT, the bare fact for its maintainers.
    merged = TimelineEntry.objects.get(case=target, kind="merged_in")
    assert (merged.visibility, merged.reason) == (Visibility.SIRT, "same alias bomb")
    joined = TimelineEntry.objects.get(case=target, kind="reports_merged")
    assert joined.visibility == Visibility.MAINTAINERS
    assert joined.reason == "1 report(s) of a duplicate case joined this case"
    assert {"merged_in", "reports_merged"} <= {
        e.kind for e in case_timeline(viewer=sirt, case=target)
    }
    seen = {e.kind for e in case_timeline(viewer=finder, case=target)}
    assert not {"merged_in", "reports_merged"} & seen
