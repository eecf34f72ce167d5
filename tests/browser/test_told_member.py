"""A member told under embargo, in a real browser: the inbox row with the terms, the accept
button, then the case with its canonical fix; axe finds no serious violation on either."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shot, sign_in
from tests.browser.test_accessibility import _axe, _violations

pytestmark = [pytest.mark.mfa, pytest.mark.django_db(transaction=True)]


def test_a_told_member_accepts_the_terms_from_the_inbox(
    base_url, new_page, system, maintainer, member_observer, orgs, case
):
    from akrites.access.tests.conftest import move, weekday_in
    from akrites.confidentiality.services import embargo_set_date, prenotify_grant
    from akrites.remediation.services import patch_choose, patch_propose
    from akrites.remediation.tests.factories import DIFF

    axe = _axe()
    case = move(case, system, maintainer, "start_fix")
    fix = patch_propose(actor=maintainer, case=case, title="Disable entities", diff=DIFF)
    patch_choose(actor=maintainer, case=case, patch_id=fix.public_id)
    embargo_set_date(actor=maintainer, case=case, ends_at=weekday_in(14))
    prenotify_grant(actor=maintainer, case=case, organisation=orgs["member"])

    page = new_page(bypass_csp=True)
    sign_in(page, base_url, member_observer)
    page.goto(f"{base_url}/inbox/")
    assert case.title not in page.content()
    found = {"told inbox": _violations(page, axe)}
    shot(page, "member-inbox-told")
    page.get_by_role("button", name=f"Accept the terms of {case.human_id}").click()
    page.wait_for_url(f"**/cases/{case.human_id}/")
    page.goto(f"{base_url}/inbox/")
    assert page.get_by_role("link", name=f"Canonical fix {fix.public_id}").is_visible()
    found["accepted inbox"] = _violations(page, axe)
    shot(page, "member-inbox-accepted")
    problems = {name: v for name, v in found.items() if v}
    assert not problems, problems
