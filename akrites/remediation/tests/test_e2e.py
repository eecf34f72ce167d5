"""The acceptance scenarios of issue 7, end to end through the services and the API."""

import json
from datetime import UTC, datetime, timedelta

from django.test import Client

from akrites.audit.services import audit_verify
from akrites.cases.models import Case, Status, TimelineEntry
from akrites.cases.selectors import case_list
from akrites.cases.services import case_transition
from akrites.core import clock
from akrites.intake.models import Report, ReportStatus
from akrites.projects.models import Project
from akrites.remediation.export import fix_export
from akrites.remediation.models import ReleasePlan, Stewardship
from akrites.remediation.services import (
    fix_mark_ready,
    ladder_run,
    patch_choose,
    patch_propose,
    release_plan_record,
    remediation_acknowledge,
    terms_update,
)
from akrites.remediation.tests.conftest import GOOD_DIFF, OTHER_DIFF, git

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _submit(client, reporter, title, description, **extra):
    client.force_login(reporter)
    doc = {"title": title, "description": description, "package": {"purl": "pkg:pypi/yamlkit"}}
    doc.update(extra)
    r = client.post("/api/v1/reports", json.dumps(doc), content_type="application/json")
    assert r.status_code == 201, r.content
    return Report.objects.get(public_id=r.json()["id"])


def test_report_to_canonical_fix_to_git_am(project, reporter, maintainer, sirt, system, repo):
    terms_update(
        actor=sirt,
        project=project,
        contact_channels=[],
        embargo_max_days=None,
        accepts_patches=True,
        accepts_ai_patches=False,
        repository=str(repo),
    )
    client = Client(enforce_csrf_checks=False)
    report = _submit(client, reporter, "Billion laughs in yamlkit.load", "Entities expand.")
    case = report.case
    for name in ("accept", "notify_maintainers"):
        case_transition(actor=sirt, case=case, name=name)
    remediation_acknowledge(actor=maintainer, case=case)
    from_reporter = patch_propose(
        actor=reporter, case=case, title="Disable entities", diff=GOOD_DIFF
    )
    from_maintainer = patch_propose(
        actor=maintainer, case=case, title="Limit depth", diff=OTHER_DIFF
    )
    assert {from_reporter.apply_check, from_maintainer.apply_check} == {"applies"}
    patch_choose(actor=maintainer, case=case, patch_id=from_reporter.public_id, reason="smaller")
    assert fix_mark_ready(actor=maintainer, case=case).status == Status.FIX_READY
    mbox = repo.parent / "fix.mbox"
    mbox.write_text(fix_export(viewer=maintainer, case=case).mbox)
    git("am", "--quiet", str(mbox), cwd=repo)
    message = git("log", "-1", "--format=%s%n%b", cwd=repo)
    assert message.startswith("Disable entities") and "Reported-by: reporter" in message
    statuses = list(
        TimelineEntry.objects.filter(case=case)
        .exclude(new_status="")
        .values_list("new_status", flat=True)
    )
    assert statuses[-4:] == [Status.NOTIFIED, Status.ACKNOWLEDGED, Status.FIXING, Status.FIX_READY]
    assert audit_verify().ok


def test_unresponsive_maintainer_to_stewardship_and_release_plan(case, sirt, system, repo):
    Project.objects.filter(pk=case.project_id).update(criticality_score=0.93)
    with clock.frozen(MONDAY):
        for name in ("accept", "notify_maintainers"):
            case_transition(actor=system, case=case, name=name)
        seen = []
        for _ in range(6 * 7):
            clock.advance(timedelta(days=1))
            ladder_run()
            case.refresh_from_db()
            if case.status not in seen:
                seen.append(case.status)
        assert seen == [Status.NOTIFIED, Status.ESCALATED, Status.STEWARDSHIP]
        kinds = list(TimelineEntry.objects.filter(case=case).values_list("kind", flat=True))
        assert kinds.count("reminder") == 3
        # The SIRT prepares the fix as maintainer of last resort and the lead chooses it.
        fix = patch_propose(actor=sirt, case=case, title="Disable entities", diff=GOOD_DIFF)
        assert fix.author_role == "sirt"
        patch_choose(actor=sirt, case=case, patch_id=fix.public_id)
        fix_mark_ready(actor=sirt, case=case)
        plan = release_plan_record(
            actor=sirt,
            case=case,
            channel="fork",
            fork_name="akrites-stewarded/yamlkit",
            version="1.4.3",
            notes="Security release of the stewarded fork.",
            handback="Pull request upstream; the fork is archived when maintainers return.",
        )
    assert ReleasePlan.objects.get() == plan
    assert Stewardship.objects.get(case=case).trigger == "unreachable"
    assert "From: Akrites SIRT" in fix_export(viewer=sirt, case=case).mbox
    case.refresh_from_db()
    assert case.status == Status.FIX_READY
    assert audit_verify().ok


def test_out_of_scope_report_answered_without_reaching_the_maintainers(
    project, reporter, maintainer
):
    from akrites.remediation.services import RuleIn

    terms_update(
        actor=maintainer,
        project=project,
        contact_channels=[],
        embargo_max_days=None,
        accepts_patches=True,
        accepts_ai_patches=False,
        rules=[RuleIn("cwe", "CWE-400", "Deeply nested documents are a documented limit.")],
    )
    client = Client(enforce_csrf_checks=False)
    client.force_login(reporter)
    response = client.post(
        "/api/v1/reports",
        json.dumps(
            {
                "title": "Stack exhaustion",
                "description": "Nested lists.",
                "package": {"purl": "pkg:pypi/yamlkit"},
                "cwe": ["CWE-400"],
            }
        ),
        content_type="application/json",
    )
    # Screened before routing: answered at once, with the maintainers' reason, and no case
    # is opened, so nothing ever reaches the maintainers.
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == ReportStatus.REJECTED and body["case"] is None
    assert "documented limit" in body["answer"]
    report = Report.objects.get(public_id=body["id"])
    assert report.case is None and "documented limit" in report.answer
    assert not Case.objects.exists() and not TimelineEntry.objects.exists()
    assert case_list(viewer=maintainer) == []
