import json

import pytest

from akrites.audit.models import AuditEntry
from akrites.cases.models import Case, CaseCounter, Status, TimelineEntry
from akrites.core.errors import InvalidInput, NotFound, PermissionDenied
from akrites.intake.models import ReportStatus
from akrites.intake.selectors import report_get
from akrites.remediation.models import ProjectTerms, ScopeRule
from akrites.remediation.services import (
    RuleIn,
    project_mark_status,
    screen_report,
    terms_update,
)

RULES = [
    RuleIn("cwe", "cwe-400", "Resource exhaustion from untrusted input is documented."),
    RuleIn("keyword", "debug mode", "Debug mode is not for production."),
    RuleIn("path", "tests/*", "Test code is not shipped."),
]


def _terms(actor, project, **extra):
    args = {
        "contact_channels": [{"kind": "email", "address": "security@yamlkit.example"}],
        "embargo_max_days": 30,
        "accepts_patches": True,
        "accepts_ai_patches": False,
        "supported_versions": "vers:pypi/>=1.0",
        "rules": RULES,
        **extra,
    }
    return terms_update(actor=actor, project=project, **args)


def test_maintainer_sets_the_terms(project, maintainer):
    terms = _terms(maintainer, project)
    assert json.loads(terms.contact_channels)[0]["kind"] == "email"
    assert [r.pattern for r in terms.rules.all()] == ["CWE-400", "debug mode", "tests/*"]
    assert AuditEntry.objects.get(action="terms.edit").data["rules"] == 3


def test_terms_are_private_to_maintainers_and_sirt(project, outsider, reporter):
    for who in (outsider, reporter):
        with pytest.raises(NotFound):
            _terms(who, project)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"contact_channels": [{"kind": "pigeon", "address": "x"}]}, "contact_channels.0"),
        ({"contact_channels": [{"kind": "email", "address": "nope"}]}, "contact_channels.0"),
        ({"embargo_max_days": 0}, "embargo_max_days"),
        ({"supported_versions": "1.0+"}, "supported_versions"),
        ({"rules": [RuleIn("cwe", "400", "r")]}, "rules.0"),
        ({"rules": [RuleIn("keyword", "x", "")]}, "rules.0"),
        ({"rules": [RuleIn("regex", "x", "r")]}, "rules.0"),
        ({"repository": "/srv/git/yamlkit"}, "repository"),
        ({"repository": "git@example.org:x"}, "repository"),
    ],
)
def test_bad_terms_change_nothing(project, maintainer, extra, field):
    with pytest.raises(InvalidInput) as exc:
        _terms(maintainer, project, **extra)
    assert exc.value.field == field
    assert not ProjectTerms.objects.exists() and not ScopeRule.objects.exists()


def test_sirt_may_configure_a_local_repository(project, sirt, tmp_path):
    assert _terms(sirt, project, repository=str(tmp_path)).repository == str(tmp_path)


def test_only_the_sirt_marks_a_project_archived(project, maintainer, sirt):
    with pytest.raises(PermissionDenied):
        project_mark_status(actor=maintainer, project=project, status="archived", reason="x")
    with pytest.raises(InvalidInput):
        project_mark_status(actor=sirt, project=project, status="gone", reason="x")
    terms = project_mark_status(
        actor=sirt, project=project, status="archived", reason="GitHub repository archived"
    )
    assert terms.status == "archived"


def _report(reporter, title, body="", **details):
    from akrites.intake.parsers import Location, PackageRef, ParsedReport
    from akrites.intake.services import Submission, reports_record

    parsed = ParsedReport(
        title=title,
        source_format="akrites",
        description=body,
        package=PackageRef(purl="pkg:pypi/yamlkit"),
        cwe=tuple(details.get("cwe", ())),
        locations=tuple(Location(file=f) for f in details.get("files", ())),
    )
    return reports_record(actor=reporter, submissions=[Submission(parsed)])[0]


@pytest.mark.parametrize(
    ("title", "body", "details", "rule"),
    [
        ("Stack exhaustion", "deep nesting", {"cwe": ["CWE-400"]}, "CWE-400"),
        ("Info leak", "When DEBUG MODE is on, secrets are printed", {}, "debug mode"),
        ("Bug", "in helper", {"files": ["./tests/helpers.py"]}, "tests/*"),
    ],
)
def test_out_of_scope_report_is_answered_at_intake_without_opening_a_case(
    project, maintainer, reporter, title, body, details, rule
):
    # Screening runs before routing (issue 18): the report is answered from the maintainers'
    # published threat model, and no case is opened (nor a case id spent) to be rejected.
    _terms(maintainer, project)
    outcome = _report(reporter, title, body, **details)
    assert outcome.case is None
    assert not Case.objects.exists() and not CaseCounter.objects.exists()
    assert not TimelineEntry.objects.exists()
    # The reporter reads why on their report.
    report = report_get(viewer=reporter, public_id=outcome.report.public_id)
    assert report.status == ReportStatus.REJECTED and report.case is None
    assert rule in report.answer and "threat model" in report.answer
    # The intake's one audit entry records the answer and the rule that gave it.
    entry = AuditEntry.objects.get(action="report.create", object_id=report.public_id)
    scope_rule = ScopeRule.objects.get(pattern=rule)
    assert entry.data["status"] == ReportStatus.REJECTED and entry.data["case"] is None
    assert entry.data["scope_rule"] == scope_rule.pk


def test_in_scope_report_goes_on(project, maintainer, reporter):
    _terms(maintainer, project)
    outcome = _report(reporter, "Code execution", "eval of input", cwe=["CWE-94"])
    outcome.case.refresh_from_db()
    assert outcome.case.status == Status.TRIAGE
    assert outcome.report.status == ReportStatus.IN_CASE
    assert outcome.report.answer == ""


def test_a_screened_out_report_counts_as_invalid_for_its_sender(project, maintainer, reporter):
    from akrites.cases.triage.signal import TrackRecord, track_record

    _terms(maintainer, project)
    _report(reporter, "Stack exhaustion", "deep nesting", cwe=["CWE-400"])
    assert track_record(user=reporter) == TrackRecord(invalid=1)


def test_copies_in_one_batch_are_answered_together(project, maintainer, reporter):
    from akrites.dedup.tests.dedup_cast import FIRST, REWORDED, submit

    # Every wording names expand_aliases: the four copies (one bug) are all out of scope.
    _terms(maintainer, project, rules=[RuleIn("keyword", "expand_aliases", "Known limit.")])
    stored = submit(reporter, FIRST, *REWORDED)
    assert [r.status for r, _ in stored] == [ReportStatus.REJECTED] * 4
    assert not Case.objects.exists()


def test_a_case_to_be_is_out_of_scope_only_when_all_its_reports_are(project, maintainer, reporter):
    from akrites.dedup.tests.dedup_cast import FIRST, REWORDED, submit

    # Only the second wording is titled "Alias bomb": the first copy keeps the case in scope.
    _terms(maintainer, project, rules=[RuleIn("keyword", "alias bomb", "Known limit.")])
    (first, _), (copy, result) = submit(reporter, FIRST, REWORDED[0])
    assert result.kind == "duplicate"
    assert first.status == ReportStatus.IN_CASE and copy.status == ReportStatus.DUPLICATE
    assert first.case_id == copy.case_id and first.case.status == Status.TRIAGE


def test_a_duplicate_cannot_get_someone_elses_case_rejected(
    project, maintainer, reporter, outsider
):
    # The attack: file a copy of another finder's in-scope report, with an out-of-scope word
    # in it. Intake used to screen the case the copy joined and reject it, with every report.
    from akrites.dedup.tests.dedup_cast import FIRST, REWORDED, submit

    ((original, _),) = submit(reporter, FIRST)
    _terms(maintainer, project, rules=[RuleIn("keyword", "alias bomb", "Known limit.")])
    ((copy, result),) = submit(outsider, REWORDED[0])
    assert result.kind == "duplicate" and copy.case_id == original.case_id
    original.refresh_from_db()
    assert original.status == ReportStatus.IN_CASE
    assert original.case.status == Status.TRIAGE


def test_screen_report_for_triage(case, maintainer, project):
    # The case fixture's report says "Billion laughs"; a rule added later applies on demand.
    _terms(maintainer, project, rules=[RuleIn("keyword", "billion laughs", "Known, by design.")])
    rule = screen_report(case=case)
    case.refresh_from_db()
    assert rule is not None and rule.pattern == "billion laughs"
    assert case.status == Status.REJECTED
    entry = case.timeline.get(new_status=Status.REJECTED)
    assert "billion laughs" in entry.reason and "threat model" in entry.reason
    assert entry.actor_label == "system:remediation.screen"
    assert AuditEntry.objects.filter(action="remediation.screen").exists()
    assert screen_report(case=case) is None  # idempotent: not in triage any more


def test_screening_costs_one_query_whatever_the_batch(project, django_assert_num_queries):
    from akrites.intake.hooks import ScopeQuery, scope_screen
    from akrites.intake.parsers import ParsedReport

    parsed = ParsedReport(title="Anything", source_format="akrites", description="text")
    for size in (1, 50):
        with django_assert_num_queries(1):
            answers = scope_screen(queries=[ScopeQuery(project.pk, (parsed,))] * size)
        assert answers == [None] * size
    with django_assert_num_queries(0):
        assert scope_screen(queries=[]) == []
