"""The SIRT's unrouted queue in the browser: the dashboard count, the list, registering a
project (or attaching the package) from a report, and routing; SIRT only, CSRF-protected."""

import pytest
from django.test import Client

from akrites.audit.models import AuditEntry
from akrites.intake.models import Report, ReportStatus
from akrites.intake.services import report_create
from akrites.projects.models import Package, Project

TITLE = "Heap overflow in rivet.parse"


@pytest.fixture
def waiting(reporter, other_project):
    # Only cargo rivet is registered (as in the demo): pkg:pypi/rivet waits.
    return report_create(
        actor=reporter, title=TITLE, body="parse() overflows.", purl="pkg:pypi/rivet@1.2.0"
    )


def _csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _token(client, url):
    assert client.get(url).status_code == 200
    return client.cookies["csrftoken"].value


FORM = {
    "name": "rivet-py",
    "ecosystem": "pypi",
    "purl": "pkg:pypi/rivet",
    "repository_url": "https://github.com/rivet/rivet-py",
    "security_contact": "security@rivet.example",
}


def test_dashboard_counts_unrouted_reports_and_links_the_queue(client, sirt, waiting):
    client.force_login(sirt)
    page = client.get("/sirt/dashboard/").content.decode()
    assert '<strong>1</strong><a href="/sirt/unrouted/">unrouted reports</a>' in page
    queue = client.get("/sirt/unrouted/").content.decode()
    assert waiting.public_id in queue and "pkg:pypi/rivet" in queue
    assert TITLE not in queue  # the list reads no report text
    assert not AuditEntry.objects.filter(action="read.report").exists()


def test_register_and_route_from_the_report_page(sirt, reporter, waiting):
    client = _csrf_client(sirt)
    url = f"/sirt/unrouted/{waiting.public_id}/"
    page = client.get(url).content.decode()
    # Prefilled from the report's purl; the text shown is an audited read.
    assert TITLE in page and 'value="pkg:pypi/rivet"' in page and 'value="pypi"' in page
    assert AuditEntry.objects.filter(action="read.report", object_id=waiting.public_id).exists()

    assert client.post(f"{url}register/", FORM).status_code == 403  # no CSRF token
    assert not Project.objects.filter(slug="rivet-py").exists()

    token = _token(client, url)
    response = client.post(f"{url}register/", {**FORM, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/sirt/unrouted/"
    report = Report.objects.get(pk=waiting.pk)
    assert report.status == ReportStatus.IN_CASE and report.case.project.slug == "rivet-py"
    assert report.case.human_id in client.get("/sirt/unrouted/").content.decode()  # message
    assert report.case.human_id in client.get("/sirt/queue/").content.decode()
    assert AuditEntry.objects.filter(action="report.route_register").count() == 1
    # The reporter now sees the case, not "waiting".
    reporter_client = Client()
    reporter_client.force_login(reporter)
    mine = reporter_client.get("/my/reports/").content.decode()
    assert report.case.human_id in mine and "Waiting for the SIRT" not in mine


def test_a_bad_field_shows_the_form_again_and_stores_nothing(client, sirt, waiting):
    client.force_login(sirt)
    url = f"/sirt/unrouted/{waiting.public_id}/register/"
    response = client.post(url, {**FORM, "name": "rivet"})  # the cargo project's name
    assert response.status_code == 422
    assert "attach the package to it" in response.content.decode()
    assert Project.objects.count() == 1 and not Package.objects.filter(purl=FORM["purl"])


def test_attach_to_an_existing_project(client, sirt, waiting, other_project):
    client.force_login(sirt)
    url = f"/sirt/unrouted/{waiting.public_id}/attach/"
    response = client.post(url, {"project": "rivet", "purl": "pkg:pypi/rivet"})
    assert response.status_code == 302
    report = Report.objects.get(pk=waiting.pk)
    assert report.case.project == other_project
    assert Package.objects.get(purl="pkg:pypi/rivet").project == other_project


@pytest.mark.parametrize("who", ["maintainer", "reporter", "member_observer", "outsider"])
def test_nobody_but_the_sirt_sees_or_routes(request, waiting, who):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    base = f"/sirt/unrouted/{waiting.public_id}/"
    assert client.get("/sirt/unrouted/").status_code == 404
    assert client.get(base).status_code == 404
    assert client.post(f"{base}register/", FORM).status_code == 404
    assert (
        client.post(f"{base}attach/", {"project": "rivet", "purl": FORM["purl"]}).status_code == 404
    )
    assert client.get("/api/v1/reports/unrouted").status_code == 404
    assert b"unrouted" not in client.get("/my/reports/").content.split(b"<main")[0]  # no nav
    assert Report.objects.get(pk=waiting.pk).status == ReportStatus.UNROUTED
    assert not Package.objects.filter(purl="pkg:pypi/rivet").exists()
    assert not AuditEntry.objects.filter(action__in=["read.report", "report.route_register"])


def test_anonymous_is_sent_to_sign_in(client, waiting):
    base = f"/sirt/unrouted/{waiting.public_id}/"
    for response in (client.get("/sirt/unrouted/"), client.get(base),
                     client.post(f"{base}register/", FORM)):  # fmt: skip
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"].startswith("/login/")
    assert Report.objects.get(pk=waiting.pk).status == ReportStatus.UNROUTED
    assert not Project.objects.filter(slug="rivet-py").exists()
