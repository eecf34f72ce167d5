"""The SIRT dashboard: figures from known data, charts as script-free SVG, SIRT only."""

from datetime import UTC, datetime, timedelta

import pytest

from akrites.cases.models import Status, TimelineEntry, Visibility
from akrites.core import clock
from akrites.intake.models import Report, ReportStatus
from akrites.intake.services import report_create
from akrites.web import metrics

MONDAY = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday


def _reports(reporter, at, n, title="Report"):
    made = []
    with clock.frozen(at):
        for i in range(n):
            made.append(
                report_create(
                    actor=reporter, title=f"{title} {i}", body="b", purl="pkg:pypi/yamlkit"
                )
            )
    return made


def test_intake_per_day_counts_reports_by_utc_day(sirt, project, reporter):
    _reports(reporter, MONDAY - timedelta(days=1), 3)
    _reports(reporter, MONDAY, 7)
    with clock.frozen(MONDAY + timedelta(hours=1)):
        series = metrics.intake_per_day(viewer=sirt, days=7)
    assert series.labels[-2:] == ["2026-03-01", "2026-03-02"]
    assert series.values["Reports"][-2:] == [3.0, 7.0]
    assert sum(v or 0 for v in series.values["Reports"]) == 10
    assert series.rows[-1] == ("2026-03-02", [7.0])


def test_duplicate_rate_is_the_weekly_share_of_duplicates(sirt, project, reporter):
    made = _reports(reporter, MONDAY, 4)
    # Set the outcome explicitly: dedup may have merged these look-alike reports already.
    Report.objects.filter(pk__in=[r.pk for r in made]).update(status=ReportStatus.IN_CASE)
    Report.objects.filter(pk=made[0].pk).update(status=ReportStatus.DUPLICATE)
    with clock.frozen(MONDAY + timedelta(days=2)):
        series = metrics.duplicate_rate_per_week(viewer=sirt, weeks=2)
    assert series.labels == ["2026-02-23", "2026-03-02"]
    assert series.values["Duplicates (%)"] == [None, 25.0]


def test_time_to_milestones_uses_the_first_transition(sirt, project, reporter):
    case = _reports(reporter, MONDAY, 1)[0].case
    for days, status in ((2, Status.ACKNOWLEDGED), (3, Status.ACKNOWLEDGED), (4, Status.FIX_READY)):
        TimelineEntry.objects.create(
            case=case,
            at=case.created_at + timedelta(days=days),
            actor_label="t",
            kind="transition",
            new_status=status,
            visibility=Visibility.SIRT,
        )
    with clock.frozen(MONDAY + timedelta(days=6)):
        series = metrics.time_to_milestones(viewer=sirt, weeks=1)
    assert series.values == {"Acknowledge": [2.0], "Fix": [4.0], "Disclose": [None]}


def test_chart_svg_shows_the_data_and_carries_no_script(client, sirt, project, reporter):
    _reports(reporter, clock.now(), 13)
    client.force_login(sirt)
    response = client.get("/sirt/dashboard/intake.svg?period=30")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg") and ">13<" in svg
    assert "<script" not in svg.lower() and "javascript:" not in svg.lower()
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]
    for name in ("duplicates", "delays"):
        other = client.get(f"/sirt/dashboard/{name}.svg?period=nonsense")
        assert other.status_code == 200 and b"<script" not in other.content


def test_dashboard_page_summarises_queue_and_links_charts(client, sirt, case):
    client.force_login(sirt)
    page = client.get("/sirt/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert case.human_id in html and "/sirt/triage/" in html
    assert 'src="/sirt/dashboard/intake.svg?period=90"' in html
    assert "style=" not in html and "<script>" not in html  # strict CSP: nothing inline
    assert 'aria-current="page"' in html


@pytest.mark.parametrize("who", ["maintainer", "reporter", "outsider", "member_observer"])
@pytest.mark.parametrize(
    "url", ["/sirt/dashboard/", "/sirt/dashboard/intake.svg", "/sirt/dashboard/delays.svg"]
)
def test_only_the_sirt_sees_the_dashboard(request, client, case, who, url):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url)
    assert response.status_code == 403 and case.human_id.encode() not in response.content


def test_sirt_home_is_the_dashboard(client, sirt):
    client.force_login(sirt)
    assert client.get("/")["Location"] == "/sirt/dashboard/"
