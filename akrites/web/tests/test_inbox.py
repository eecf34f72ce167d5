"""The maintainer inbox: status, severity, embargo countdown, acknowledge clock, next action."""

from datetime import timedelta
from decimal import Decimal

from akrites.cases.models import Case
from akrites.cases.services import case_transition
from akrites.confidentiality.ends import default_embargo
from akrites.core import clock
from akrites.remediation.services import remediation_acknowledge, remediation_set_dates
from akrites.web.inbox import inbox_rows


def _notify(case, system):
    for name in ("accept", "notify_maintainers"):
        case_transition(actor=system, case=case, name=name)
    case.refresh_from_db()
    return case


def test_a_notified_case_offers_acknowledge_with_its_clock(client, case, system, maintainer):
    _notify(case, system)
    Case.objects.filter(pk=case.pk).update(assessed_cvss_score=Decimal("7.5"))
    client.force_login(maintainer)
    page = client.get("/inbox/").text
    assert f'action="/cases/{case.human_id}/remediation/acknowledge/"' in page
    assert "7.5 High" in page and "running" in page
    response = client.post(f"/cases/{case.human_id}/remediation/acknowledge/")
    assert response.status_code == 302
    page = client.get("/inbox/").text
    assert "/remediation/acknowledge/" not in page
    assert f'href="/cases/{case.human_id}/remediation/#dates-h"' in page
    assert ">met<" in page


def test_no_next_action_once_the_dates_are_set(case, system, maintainer):
    _notify(case, system)
    remediation_acknowledge(actor=maintainer, case=case)
    remediation_set_dates(
        actor=maintainer,
        case=case,
        target_fix_on=(clock.now() + timedelta(days=10)).date(),
        disclosure_at=None,
    )
    (row,) = inbox_rows(viewer=maintainer)
    assert row.next_action is None


def test_the_embargo_is_shown_in_utc_and_the_viewers_zone(client, case, system, maintainer):
    _notify(case, system)
    maintainer.time_zone = "Asia/Tokyo"
    maintainer.save(update_fields=["time_zone"])
    (row,) = inbox_rows(viewer=maintainer)
    expected = default_embargo(case)
    assert expected is not None and row.embargo_ends == expected.ends_at
    assert row.countdown_text.startswith("in ")
    client.force_login(maintainer)
    page = client.get("/inbox/").text
    assert f"{expected.ends_at:%Y-%m-%d %H:%M} UTC" in page and "Asia/Tokyo" in page


def test_the_acknowledge_clock_breaches_after_two_business_days(case, system, maintainer):
    _notify(case, system)
    with clock.frozen(clock.now() + timedelta(days=5)):
        (row,) = inbox_rows(viewer=maintainer)
    assert row.acknowledge is not None and row.acknowledge.state == "breached"


def test_open_by_default_all_on_request(client, case, system, maintainer):
    _notify(case, system)
    case_transition(actor=system, case=case, name="dispute", reason="Not a vulnerability.")
    case_transition(actor=system, case=case, name="close")
    client.force_login(maintainer)
    assert case.human_id not in client.get("/inbox/").text
    page = client.get("/inbox/?show=all").text
    assert case.human_id in page and '<option value="all" selected>' in page


def test_a_reporter_sees_no_maintainer_action(client, case, system, reporter):
    _notify(case, system)
    client.force_login(reporter)
    page = client.get("/inbox/").text
    assert case.human_id in page and "/remediation/acknowledge/" not in page


def test_an_outsider_sees_nothing(client, case, system, outsider):
    _notify(case, system)
    client.force_login(outsider)
    response = client.get("/inbox/?show=all")
    assert response.status_code == 200 and case.human_id not in response.text
