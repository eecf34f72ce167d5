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


def test_main_pages_have_no_serious_accessibility_violations(
    base_url, new_page, authenticator, sirt, maintainer, case
):
    axe = _axe()
    authenticator.enrol(sirt)
    found: dict[str, list[str]] = {}

    anonymous = new_page(bypass_csp=True)
    for path in ("/login/", "/report/", "/advisories/"):
        anonymous.goto(f"{base_url}{path}")
        found[path] = _violations(anonymous, axe)

    lead = new_page(bypass_csp=True)
    sign_in(lead, base_url, sirt, authenticator)
    for path in (
        "/sirt/dashboard/",
        "/sirt/queue/",
        "/sirt/triage/",
        "/sirt/breaches/",
        f"/cases/{case.human_id}/",
        f"/cases/{case.human_id}/triage/",
        "/inbox/",
        "/my/reports/",
        "/registry/",
        f"/cases/{case.human_id}/remediation/",
    ):
        response = lead.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        found[path] = _violations(lead, axe)
    lead.set_viewport_size({"width": 390, "height": 844})  # a phone: the layout reflows
    lead.goto(f"{base_url}/cases/{case.human_id}/")
    found["case room (narrow)"] = _violations(lead, axe)
    shot(lead, "case-room-phone")

    problems = {page: v for page, v in found.items() if v}
    assert not problems, problems
