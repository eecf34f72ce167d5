"""axe-core (from the npm registry) over the main pages: no serious or critical violation.

axe is injected into the page, which the strict CSP forbids; the check runs in a context
that bypasses CSP (Playwright's ``bypass_csp``), used for nothing else.
axe-core is found at ``AKRITES_AXE_JS`` or in ``~/.cache/akrites-axe/node_modules`` (where
``.ci/run`` installs it with ``npm install --prefix``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import requires
from tests.browser.conftest import shot, sign_in

pytestmark = [pytest.mark.mfa, pytest.mark.django_db(transaction=True)]

AXE_CANDIDATES = [
    os.environ.get("AKRITES_AXE_JS", ""),
    str(Path.home() / ".cache/akrites-axe/node_modules/axe-core/axe.min.js"),
    "node_modules/axe-core/axe.min.js",
]
BLOCKING = {"serious", "critical"}


def _axe() -> Path:
    found = next((Path(p) for p in AXE_CANDIDATES if p and Path(p).is_file()), None)
    requires(
        found is not None,
        "axe-core not found: npm install --prefix ~/.cache/akrites-axe axe-core "
        "(or set AKRITES_AXE_JS)",
    )
    assert found is not None
    return found


def _violations(page, axe: Path) -> list[str]:
    page.add_script_tag(path=str(axe))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def _cases(system, sirt, project, case, other_case):
    """One case of each kind the pages show: a draft advisory ready to publish (``case``),
    a notified case awaiting acknowledgement, and a published advisory (``other_case``)."""
    from akrites.cases.services import case_create, case_transition
    from akrites.disclosure.tests.conftest import make_draft, make_ready, publish_now

    make_draft(make_ready(case, system), sirt)
    waiting = case_create(actor=system, project=project, title="Unbounded recursion in dump")
    for name in ("accept", "notify_maintainers"):
        case_transition(actor=system, case=waiting, name=name)
    make_draft(make_ready(other_case, system), sirt)
    return publish_now(other_case, system).public_id


def test_main_pages_have_no_serious_accessibility_violations(
    base_url,
    new_page,
    authenticator,
    system,
    sirt,
    maintainer,
    project,
    case,
    other_case,
    monkeypatch,
):
    from akrites.disclosure.tests.conftest import _pem

    axe = _axe()
    monkeypatch.setenv("AKRITES_SIGNING_KEY", _pem())
    public_id = _cases(system, sirt, project, case, other_case)
    from akrites.intake.services import report_create

    waiting = report_create(actor=sirt, title="Overflow in rivet", body="b", purl="pkg:pypi/rivet")
    authenticator.enrol(sirt)
    authenticator.enrol(maintainer)
    found: dict[str, list[str]] = {}

    anonymous = new_page(bypass_csp=True)
    for path in ("/login/", "/report/", "/advisories/", f"/advisories/{public_id}/"):
        anonymous.goto(f"{base_url}{path}")
        found[path] = _violations(anonymous, axe)

    lead = new_page(bypass_csp=True)
    sign_in(lead, base_url, sirt, authenticator)
    for path in (
        "/sirt/dashboard/",
        "/sirt/dashboard/?status=open&claim=unclaimed&band=unscored",
        "/sirt/queue/",
        "/sirt/triage/",
        "/sirt/breaches/",
        f"/cases/{case.human_id}/",
        f"/cases/{case.human_id}/triage/",
        f"/cases/{case.human_id}/advisory/",
        "/inbox/",
        "/my/reports/",
        "/registry/",
        f"/cases/{case.human_id}/remediation/",
        "/sirt/unrouted/",
        f"/sirt/unrouted/{waiting.public_id}/",
    ):
        response = lead.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        found[path] = _violations(lead, axe)
    # The advisory form with an invalid value: the message is tied to its field.
    lead.goto(f"{base_url}/cases/{case.human_id}/advisory/")
    lead.locator("#adv-affected-0-vers").fill("vers:pypi/<<1")
    lead.get_by_role("button", name="Save draft").click()
    lead.locator("#err-affected-0-vers").wait_for()
    found["advisory form with an error"] = _violations(lead, axe)
    lead.set_viewport_size({"width": 390, "height": 844})  # a phone: the layout reflows
    lead.goto(f"{base_url}/cases/{case.human_id}/")
    found["case room (narrow)"] = _violations(lead, axe)
    shot(lead, "case-room-phone")
    lead.goto(f"{base_url}/sirt/dashboard/")
    found["dashboard (narrow)"] = _violations(lead, axe)

    team = new_page(bypass_csp=True)
    sign_in(team, base_url, maintainer, authenticator)
    for path in ("/inbox/", "/inbox/?show=all"):
        team.goto(f"{base_url}{path}")
        found[f"{path} (maintainer)"] = _violations(team, axe)
    assert "Acknowledge" in team.content()

    problems = {page: v for page, v in found.items() if v}
    assert not problems, problems
