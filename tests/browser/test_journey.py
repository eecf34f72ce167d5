"""The whole coordinated-disclosure journey in a real browser (Debian Chromium).

Reporter submits through the web form; the SIRT signs in with TOTP, triages and notifies;
the maintainer signs in with TOTP, acknowledges from the inbox, sets dates, proposes and
chooses a patch and marks the fix ready; when the date comes the SIRT drafts the advisory and
approves it to go out now through the form (after a step-up code), which publishes it, and the
public page shows it. Each main page is saved as a screenshot. Bad input: invalid values show
the error next to the field, and double submits / back-button replays create nothing twice.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from akrites.cases.models import Case, Status, TimelineEntry
from akrites.core import clock
from akrites.core.clock import now
from akrites.disclosure.instant import disclosure_instant
from akrites.disclosure.models import PublicAdvisory
from akrites.disclosure.tests.conftest import _pem
from akrites.intake.models import Report
from tests.browser.conftest import shot, sign_in

pytestmark = [pytest.mark.mfa, pytest.mark.django_db(transaction=True)]

DIFF = """\
diff --git a/yamlkit/load.py b/yamlkit/load.py
--- a/yamlkit/load.py
+++ b/yamlkit/load.py
@@ -1,2 +1,3 @@
 def load(text):
+    limit_aliases(text)
     return parse(text)
"""


def _submit_report(page, base: str, title: str) -> str:
    page.goto(f"{base}/report/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Package URL (purl)").fill("pkg:pypi/yamlkit")
    page.get_by_label("Description").fill("yamlkit.load expands nested aliases without limit.")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Check your report").wait_for()
    page.get_by_role("button", name="Submit report").click()
    page.wait_for_url("**/report/receipt/**")
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _transition(page, base: str, case: Case, name: str, reason: str = "") -> None:
    page.goto(f"{base}/cases/{case.human_id}/")
    page.get_by_label("Action", exact=True).select_option(name)
    page.get_by_label("Reason", exact=True).fill(reason)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()


def test_report_then_triage(base_url, new_page, authenticator, sirt, reporter, project):
    base = base_url
    authenticator.enrol(sirt)

    # The reporter submits through the web form.
    finder = new_page()
    sign_in(finder, base, reporter)
    report_id = _submit_report(finder, base, "Billion laughs in yamlkit.load")
    shot(finder, "report-receipt")
    case = Report.objects.get(public_id=report_id).case
    assert case is not None and case.status == Status.TRIAGE

    # The SIRT signs in with TOTP, sees the dashboard and the queue, accepts and notifies.
    lead = new_page()
    sign_in(lead, base, sirt, authenticator)
    assert lead.url.endswith("/sirt/dashboard/")
    lead.get_by_role("heading", name="SIRT dashboard").wait_for()
    assert lead.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    # The dashboard's queue: filter to unclaimed cases in triage, claim this one.
    lead.get_by_label("Claimed", exact=True).select_option("unclaimed")
    lead.get_by_role("button", name="Filter").click()
    lead.wait_for_url("**claim=unclaimed**")
    lead.get_by_role("button", name=f"Claim {case.human_id}").click()
    lead.get_by_text(f"{case.human_id} claimed.").wait_for()
    assert "claim=unclaimed" in lead.url  # back on the same filters, where it is gone
    assert lead.get_by_role("button", name=f"Claim {case.human_id}").count() == 0
    case.refresh_from_db()
    assert case.claimed_by_id == sirt.pk
    lead.get_by_label("Claimed", exact=True).select_option("mine")
    lead.get_by_role("button", name="Filter").click()
    lead.get_by_role("button", name=f"Release {case.human_id}").wait_for()
    shot(lead, "sirt-dashboard")
    lead.goto(f"{base}/sirt/triage/")
    assert case.human_id in lead.content()
    shot(lead, "triage-queue")
    _transition(lead, base, case, "accept", "Reproduced on 1.2.0.")
    _transition(lead, base, case, "notify_maintainers")
    case.refresh_from_db()
    assert case.status == Status.NOTIFIED
    shot(lead, "case-room-sirt")

    # The reporter follows the case from their reports page.
    finder.goto(f"{base}/my/reports/")
    assert case.human_id in finder.content()
    shot(finder, "my-reports")


def test_remediation_then_public_advisory(
    base_url, new_page, authenticator, system, sirt, maintainer, case, monkeypatch
):
    from akrites.cases.services import case_transition

    base = base_url
    for name in ("accept", "notify_maintainers"):  # triage is the test above
        case_transition(actor=system, case=case, name=name)
    authenticator.enrol(maintainer)
    authenticator.enrol(sirt)

    # The maintainer signs in with TOTP and acknowledges from the inbox, then sets dates,
    # proposes a patch and chooses it.
    team = new_page()
    sign_in(team, base, maintainer, authenticator)
    team.goto(f"{base}/inbox/")
    assert case.human_id in team.content()
    shot(team, "maintainer-inbox")
    team.get_by_role("button", name=f"Acknowledge {case.human_id}").click()
    team.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == Status.ACKNOWLEDGED
    team.goto(f"{base}/inbox/")
    team.get_by_role("link", name=f"Set the dates of {case.human_id}").click()
    team.wait_for_url("**/remediation/**")
    fix_on = (now() + timedelta(days=20)).date().isoformat()
    disclose = (now() + timedelta(days=30)).strftime("%Y-%m-%dT12:00")
    team.get_by_label("Target fix date").fill(fix_on)
    team.get_by_label("Disclosure (UTC)").fill(disclose)
    team.get_by_role("button", name="Save dates").click()
    team.wait_for_load_state()
    team.get_by_label("Title (commit subject)").fill("Limit alias expansion")
    team.get_by_label("Unified diff (git diff)").fill(DIFF)
    team.get_by_role("button", name="Propose").click()
    team.wait_for_load_state()
    team.goto(f"{base}/cases/{case.human_id}/remediation/")
    team.locator("a[href*='/patches/PAT-']").first.click()
    team.get_by_role("button", name="Choose as the canonical fix").click()
    team.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == Status.FIXING  # choosing the canonical fix starts the fix
    team.goto(f"{base}/cases/{case.human_id}/remediation/")
    shot(team, "remediation")
    team.get_by_role("button", name="Mark the fix ready").click()
    team.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == Status.FIX_READY, case.status
    team.goto(f"{base}/cases/{case.human_id}/")
    shot(team, "case-room-maintainer")

    # The disclosure date comes; the SIRT drafts, reviews and publishes in the browser.
    monkeypatch.setenv("AKRITES_SIGNING_KEY", _pem())
    instant = disclosure_instant(case)
    assert instant is not None
    with clock.frozen(instant + timedelta(minutes=1)):
        public_id = _publish(new_page(), base, authenticator, sirt, case)

    visitor = new_page()
    visitor.goto(f"{base}/advisories/")
    shot(visitor, "advisories")
    visitor.get_by_role("link", name=re.compile(public_id)).first.click()
    visitor.get_by_role("heading", level=1).wait_for()
    assert "Billion laughs" in visitor.content()
    shot(visitor, "public-advisory")


NOW = "Now (publish at once; only once the disclosure instant has come)"
REVIEWED = "I reviewed this revision of the saved draft; approve it"


def _publish(lead, base: str, authenticator, sirt, case: Case) -> str:
    """Draft the advisory, fix an invalid range, approve it to go out now after the step-up
    code (which publishes it); a replay of the approval form publishes nothing twice.
    Returns the public id."""
    sign_in(lead, base, sirt, authenticator)
    lead.goto(f"{base}/cases/{case.human_id}/")
    lead.get_by_role("link", name="Advisory: draft and publish").click()
    lead.get_by_role("button", name="Start the draft").click()
    lead.get_by_label("Summary (one line)").wait_for()
    vers = lead.locator("#adv-affected-0-vers")
    vers.fill("vers:pypi/>=1.0|<<1.2.3")  # invalid: the message appears next to the field
    lead.get_by_role("button", name="Save draft").click()
    lead.locator("#err-affected-0-vers").wait_for()
    assert vers.get_attribute("aria-describedby") == "err-affected-0-vers"
    shot(lead, "advisory-draft-error")
    vers.fill("vers:pypi/>=1.0|<1.2.3")
    lead.locator("#adv-affected-0-fixed").fill("1.2.3")
    lead.get_by_label("CWE ids (comma-separated)").fill("CWE-776")
    lead.get_by_label("Details").fill("Nested aliases expand exponentially and exhaust memory.")
    lead.get_by_role("button", name="Save draft").click()
    lead.get_by_text("Draft saved.").wait_for()
    shot(lead, "advisory-draft")

    # Saving published nothing: only an approval does.
    assert not PublicAdvisory.objects.exists()
    # Approving needs a fresh code: ten minutes after signing in, the code page comes first.
    clock.advance(timedelta(minutes=11))
    lead.get_by_label(NOW, exact=True).check()
    lead.get_by_label(REVIEWED, exact=True).check()
    lead.get_by_role("button", name="Approve the advisory").click()
    lead.wait_for_url("**/account/step-up/**")
    assert not PublicAdvisory.objects.exists()
    lead.get_by_label("Code").fill(authenticator.code(sirt))
    lead.get_by_role("button", name="Confirm").click()
    lead.wait_for_url(f"**/cases/{case.human_id}/advisory/")
    # The same form open in a second tab (or kept from before pressing Back).
    stale = lead.context.new_page()
    stale.goto(lead.url)
    stale.get_by_label(REVIEWED, exact=True).check()
    lead.get_by_label(NOW, exact=True).check()
    lead.get_by_label(REVIEWED, exact=True).check()
    shot(lead, "advisory-publish")
    lead.get_by_role("button", name="Approve the advisory").dblclick()  # a double click
    lead.wait_for_url("**/advisories/AKRITES-**")
    published = lead.url
    lead.get_by_text("Published as").wait_for()
    # The stale form sent later: the same public advisory, nothing published twice.
    stale.get_by_role("button", name="Approve the advisory").click()
    stale.wait_for_url("**/advisories/AKRITES-**")
    assert stale.url == published
    stale.get_by_text("Already published as").wait_for()
    assert PublicAdvisory.objects.count() == 1
    case.refresh_from_db()
    assert case.status == Status.DISCLOSED
    return str(PublicAdvisory.objects.get().public_id)


def test_report_form_errors_and_replays(base_url, new_page, reporter, project):
    base = base_url
    page = new_page()
    sign_in(page, base, reporter)
    page.goto(f"{base}/report/")
    page.get_by_label("Package URL (purl)").fill("not a purl")
    page.get_by_role("button", name="Preview").click()
    error = page.locator(".error").first
    error.wait_for()
    # The message sits in the same paragraph as the field it is about.
    field_id = error.evaluate("e => e.parentElement.querySelector('input,textarea,select').id")
    assert field_id, "error not next to a field"
    shot(page, "report-form-error")

    page.get_by_label("Package URL (purl)").fill("pkg:pypi/yamlkit")
    page.get_by_label("Title").fill("Unbounded recursion in yamlkit.dump")
    page.get_by_label("Description").fill("dump() recurses without a depth limit.")
    page.get_by_role("button", name="Preview").click()
    submit = page.get_by_role("button", name="Submit report")
    submit.dblclick()  # a double click: one report
    page.wait_for_url("**/report/receipt/**")
    first = page.url
    page.go_back()  # back to the preview, then submit the same form again: a replay
    page.get_by_role("button", name="Submit report").click()
    page.wait_for_url("**/report/receipt/**")
    assert page.url == first
    assert Report.objects.filter(reporter=reporter).count() == 1


def test_case_action_replay_and_expired_session(base_url, new_page, authenticator, sirt, case):
    base = base_url
    authenticator.enrol(sirt)
    page = new_page()
    sign_in(page, base, sirt, authenticator)
    # The same form open in a second tab (or kept from before pressing Back): sent again
    # after the case moved on, it is refused with a message and nothing happens twice.
    stale = page.context.new_page()
    stale.goto(f"{base}/cases/{case.human_id}/")
    stale.get_by_label("Action", exact=True).select_option("accept")
    _transition(page, base, case, "accept", "Valid.")
    stale.get_by_role("button", name="Apply").click()
    stale.wait_for_load_state()
    page = stale
    assert page.locator("#t-name-err").count() == 1  # next to the Action field
    accepts = TimelineEntry.objects.filter(case=case, new_status=Status.ACCEPTED).count()
    assert accepts == 1

    # The session ends while the form is open: the post leads to sign-in, nothing changes.
    page.goto(f"{base}/cases/{case.human_id}/")
    page.context.clear_cookies(name="sessionid")
    page.get_by_label("Action", exact=True).select_option("notify_maintainers")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/login/**")
    # And when the CSRF cookie is gone too: the site's "form expired" page, nothing changes.
    sign_in(page, base, sirt, authenticator)
    page.goto(f"{base}/cases/{case.human_id}/")
    page.context.clear_cookies()
    page.get_by_label("Action", exact=True).select_option("notify_maintainers")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("heading", name="Form expired").wait_for()
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


def test_anonymous_status_link_keeps_its_code_out_of_every_url(base_url, new_page, project):
    base = base_url
    page = new_page()
    page.goto(f"{base}/report/")
    page.get_by_label("Title").fill("Symlink escape in yamlkit.include")
    page.get_by_label("Package URL (purl)").fill("pkg:pypi/yamlkit")
    page.get_by_label("Description").fill("include() follows symlinks outside the base directory.")
    page.get_by_label("Contact e-mail (required when not signed in)").fill("ada@example.org")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Submit report").click()
    page.wait_for_url("**/report/receipt/**")
    report_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    code = page.locator("#status-code").inner_text()
    requested: list[str] = []
    later = new_page()  # another day, another browser: only the link is kept
    later.on("request", lambda request: requested.append(request.url))
    later.goto(f"{base}/report/status/#{code}")
    later.get_by_role("heading", name=f"Report {report_id}").wait_for()
    assert later.url == f"{base}/report/status/"  # the fragment left the address bar
    assert requested and not any(code in url for url in requested)
