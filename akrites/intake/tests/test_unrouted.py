"""Reports no case holds (issue 19: nothing vanishes): the unrouted queue, routing them by
registering or attaching their package, what the reporter sees, and who may do any of it."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser

from akrites.audit.models import AuditEntry
from akrites.cases.models import Status
from akrites.core.errors import InvalidInput, NotFound
from akrites.intake import selectors
from akrites.intake.models import Report, ReportStatus
from akrites.intake.parsers import ParsedReport
from akrites.intake.services import Submission, report_create, reports_record
from akrites.intake.services.unrouted import NewProject, unrouted_attach, unrouted_register
from akrites.projects.models import ContactSource, Package, Project

RIVET = NewProject(
    name="rivet-py",
    ecosystem="pypi",
    purl="pkg:pypi/rivet",
    repository_url="https://github.com/rivet/rivet-py",
    security_contact="security@rivet.example",
)


def _rivet(reporter, title="Heap overflow in rivet.parse", body="parse() overflows.", purl=None):
    return report_create(
        actor=reporter, title=title, body=body, purl=purl or "pkg:pypi/rivet@1.2.0"
    )


def test_report_on_an_unregistered_package_waits_in_the_unrouted_queue(
    sirt, reporter, other_project
):
    # Only cargo rivet is registered: pkg:pypi/rivet opens no case, and is not lost.
    report = _rivet(reporter)
    assert report.status == ReportStatus.UNROUTED and report.case is None
    assert [r.public_id for r in selectors.unrouted_list(viewer=sirt)] == [report.public_id]
    assert selectors.unrouted_count(viewer=sirt) == 1


def test_report_naming_no_package_is_unrouted_too(sirt, reporter):
    parsed = ParsedReport(title="Crash somewhere", source_format="akrites", description="x")
    [outcome] = reports_record(actor=reporter, submissions=[Submission(parsed)])
    assert outcome.report.status == ReportStatus.UNROUTED and outcome.report.purl == ""
    assert outcome.report in selectors.unrouted_list(viewer=sirt)


def test_register_routes_every_report_waiting_on_the_package(sirt, reporter, other_project):
    first = _rivet(reporter)
    other = _rivet(reporter, "Path traversal in rivet.unpack", "unpack() writes outside.",
                   purl="pkg:pypi/rivet")  # fmt: skip
    copy = _rivet(reporter)  # the same bug again: a duplicate waiting with its original
    assert copy.status == ReportStatus.UNROUTED
    assert json.loads(copy.dedup)["duplicate_of"] == first.public_id

    result = unrouted_register(actor=sirt, report_id=first.public_id, new=RIVET)

    project = Project.objects.get(slug="rivet-py")
    assert result.project == project and result.package.purl == "pkg:pypi/rivet"
    assert project.repository_url == RIVET.repository_url
    contact = project.contacts.get(source=ContactSource.SIRT)
    assert contact.address == "mailto:security@rivet.example"
    first, other, copy = (Report.objects.get(pk=r.pk) for r in (first, other, copy))
    assert (first.status, other.status) == (ReportStatus.IN_CASE, ReportStatus.IN_CASE)
    assert first.case != other.case and first.case.status == Status.TRIAGE
    assert first.case.project == project and first.package == result.package
    # The copy joins its original's case and ranks after its first finder.
    assert (copy.status, copy.case, copy.credit_rank) == (ReportStatus.DUPLICATE, first.case, 2)
    assert selectors.unrouted_count(viewer=sirt) == 0
    entry = AuditEntry.objects.get(action="report.route_register")
    assert entry.object_id == first.public_id and entry.data["project"] == "rivet-py"
    assert {r["report"] for r in entry.data["routed"]} == {
        first.public_id, other.public_id, copy.public_id
    }  # fmt: skip


def test_attach_adds_the_package_to_an_existing_project_and_routes(sirt, reporter, other_project):
    report = _rivet(reporter)
    unrouted_attach(
        actor=sirt, report_id=report.public_id, project_slug="rivet", purl="pkg:pypi/rivet"
    )
    report.refresh_from_db()
    assert Package.objects.get(purl="pkg:pypi/rivet").project == other_project
    assert report.status == ReportStatus.IN_CASE and report.case.project == other_project
    assert AuditEntry.objects.filter(action="report.route_attach").count() == 1


def test_a_report_naming_no_package_is_routed_to_the_package_the_sirt_names(
    sirt, reporter, project
):
    parsed = ParsedReport(title="Crash in the loader", source_format="akrites", description="x")
    [outcome] = reports_record(actor=reporter, submissions=[Submission(parsed)])
    unrouted_attach(actor=sirt, report_id=outcome.report.public_id, project_slug="yamlkit",
                    purl="pkg:pypi/yamlkit")  # fmt: skip
    outcome.report.refresh_from_db()
    assert outcome.report.case.project == project


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "rivet"}, "name"),  # a project of that name exists: attach instead
        ({"ecosystem": "npm"}, "ecosystem"),
        ({"purl": "pkg:cargo/rivet", "ecosystem": "cargo"}, "purl"),  # registered already
        ({"purl": "not a purl"}, "purl"),
        ({"security_contact": "call me"}, "security_contact"),
        ({"repository_url": "ftp://x"}, "repository_url"),
    ],
)
def test_register_refuses_bad_input_and_stores_nothing(
    sirt, reporter, other_project, change, field
):
    report = _rivet(reporter)
    projects, audit = Project.objects.count(), AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as caught:
        unrouted_register(
            actor=sirt, report_id=report.public_id, new=NewProject(**{**RIVET.__dict__, **change})
        )
    assert caught.value.field == field
    assert Project.objects.count() == projects and AuditEntry.objects.count() == audit
    report.refresh_from_db()
    assert report.status == ReportStatus.UNROUTED


def test_attach_refuses_a_package_of_another_project(sirt, reporter, project, other_project):
    report = _rivet(reporter)
    with pytest.raises(InvalidInput):
        unrouted_attach(actor=sirt, report_id=report.public_id, project_slug="yamlkit",
                        purl="pkg:cargo/rivet")  # fmt: skip
    with pytest.raises(InvalidInput):
        unrouted_attach(actor=sirt, report_id=report.public_id, project_slug="nope",
                        purl="pkg:pypi/rivet")  # fmt: skip


def test_a_routed_report_cannot_be_routed_again(sirt, reporter, other_project):
    report = _rivet(reporter)
    unrouted_register(actor=sirt, report_id=report.public_id, new=RIVET)
    with pytest.raises(NotFound):
        unrouted_attach(actor=sirt, report_id=report.public_id, project_slug="rivet",
                        purl="pkg:pypi/rivet")  # fmt: skip


@pytest.fixture
def cast(maintainer, reporter, member_observer, outsider):
    return {
        "maintainer": maintainer,
        "reporter": reporter,  # the reporter of the very report
        "member": member_observer,
        "outsider": outsider,
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize("who", ["maintainer", "reporter", "member", "outsider", "anonymous"])
def test_only_the_sirt_sees_the_queue_or_routes(sirt, reporter, other_project, cast, who):
    report = _rivet(reporter)
    actor = cast[who]
    for read in (selectors.unrouted_list, selectors.unrouted_count, selectors.answered_list):
        with pytest.raises(NotFound):
            read(viewer=actor)
    with pytest.raises(NotFound):
        selectors.unrouted_get(viewer=actor, public_id=report.public_id)
    with pytest.raises(NotFound):  # the same answer for an id that does not exist
        selectors.unrouted_get(viewer=actor, public_id="RPT-0000000000000000")
    with pytest.raises(NotFound):
        selectors.unrouted_same_package(viewer=actor, report=report)
    with pytest.raises(NotFound):
        unrouted_register(actor=actor, report_id=report.public_id, new=RIVET)
    with pytest.raises(NotFound):
        unrouted_attach(actor=actor, report_id=report.public_id, project_slug="rivet",
                        purl="pkg:pypi/rivet")  # fmt: skip
    report.refresh_from_db()
    assert (
        report.status == ReportStatus.UNROUTED
        and not Project.objects.filter(slug="rivet-py").exists()
    )
    assert not Package.objects.filter(purl="pkg:pypi/rivet").exists()
    assert not AuditEntry.objects.filter(action__startswith="report.route").exists()
    assert not AuditEntry.objects.filter(action="read.report", actor_id=getattr(actor, "pk", 0))


def test_reading_a_waiting_report_is_audited(sirt, reporter, other_project):
    report = _rivet(reporter)
    shown = selectors.unrouted_get(viewer=sirt, public_id=report.public_id)
    assert shown.title == "Heap overflow in rivet.parse"
    entry = AuditEntry.objects.get(action="read.report")
    assert (entry.object_type, entry.object_id, entry.actor_id) == (
        "report", report.public_id, sirt.pk
    )  # fmt: skip
    # The list reads no report text (nothing to audit): only identifiers are loaded.
    [row] = selectors.unrouted_list(viewer=sirt)
    assert "title" in row.get_deferred_fields() and "body" in row.get_deferred_fields()


# --- the API ------------------------------------------------------------------------------


def test_api_lists_the_unrouted_queue_for_the_sirt(client, sirt, reporter, other_project):
    report = _rivet(reporter)
    client.force_login(sirt)
    response = client.get("/api/v1/reports/unrouted")
    assert response.status_code == 200, response.content
    [item] = response.json()
    assert item["id"] == report.public_id and item["status"] == "unrouted"
    assert item["purl"] == "pkg:pypi/rivet" and "title" not in item


def test_api_unrouted_queue_is_404_for_others(client, auth, maintainer, reporter, other_project):
    _rivet(reporter)
    assert client.get("/api/v1/reports/unrouted", **auth).status_code == 404  # reporter token
    client.force_login(maintainer)
    assert client.get("/api/v1/reports/unrouted").status_code == 404
    client.logout()
    assert client.get("/api/v1/reports/unrouted").status_code == 401


def test_reporter_sees_the_true_state_then_the_case(client, auth, sirt, reporter, other_project):
    report = _rivet(reporter)
    body = client.get(f"/api/v1/reports/{report.public_id}", **auth).json()
    assert (body["status"], body["case"]) == ("unrouted", None)
    assert [r["status"] for r in client.get("/api/v1/reports", **auth).json()] == ["unrouted"]
    client.force_login(reporter)
    page = client.get(f"/my/reports/{report.public_id}/").content.decode()
    assert "Waiting for the SIRT to route it to a project" in page
    assert "awaiting triage" not in page
    assert "Waiting for the SIRT to route it" in client.get("/my/reports/").content.decode()

    unrouted_register(actor=sirt, report_id=report.public_id, new=RIVET)
    report.refresh_from_db()
    body = client.get(f"/api/v1/reports/{report.public_id}", **auth).json()
    assert (body["status"], body["case"]) == ("in_case", report.case.human_id)
    assert report.case.human_id in client.get("/my/reports/").content.decode()


def test_an_anonymous_reporter_status_page_says_it_waits(client, other_project):
    from akrites.intake.models import Channel

    secret = "status-code-for-the-test-0001"
    parsed = ParsedReport(title="Overflow in rivet", source_format="akrites", description="x")
    sub = Submission(
        parsed, contact="me@example.org", status_digest=selectors.status_digest(secret)
    )
    reports_record(actor=AnonymousUser(), submissions=[sub], channel=Channel.WEB)
    page = client.post("/report/status/", {"code": secret}).content.decode()
    assert "Waiting for the SIRT to route it to a project" in page


def test_a_copy_routed_after_its_original_joins_the_original_case(sirt, reporter, other_project):
    original, copy = _rivet(reporter), _rivet(reporter)
    assert json.loads(copy.dedup)["duplicate_of"] == original.public_id
    # The SIRT routes the original alone (to another package it names), the copy later.
    unrouted_attach(actor=sirt, report_id=original.public_id, project_slug="rivet",
                    purl="pkg:pypi/rivet-core")  # fmt: skip
    assert Report.objects.get(pk=copy.pk).status == ReportStatus.UNROUTED
    unrouted_attach(actor=sirt, report_id=copy.public_id, project_slug="rivet",
                    purl="pkg:pypi/rivet")  # fmt: skip
    first, second = (Report.objects.get(pk=r.pk) for r in (original, copy))
    assert (second.status, second.case, second.credit_rank) == (
        ReportStatus.DUPLICATE, first.case, 2
    )  # fmt: skip
