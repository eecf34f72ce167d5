import re

from akrites.cases.models import Status
from akrites.remediation.models import PatchProposal, ProjectTerms
from akrites.remediation.services import patch_propose
from akrites.remediation.tests.conftest import GOOD_DIFF, OTHER_DIFF


def _no_inline_code(html: bytes) -> None:
    # Strict CSP: no inline scripts, styles or handlers.
    assert not re.search(rb"<script(?![^>]*\ssrc=)", html)  # only external scripts
    assert b"<style" not in html
    assert not re.search(rb"\sstyle=|\son[a-z]+=", html)


def test_remediation_room_for_the_maintainer(client, acknowledged, maintainer, reporter):
    patch_propose(actor=reporter, case=acknowledged, title="Fix A", diff=GOOD_DIFF)
    client.force_login(maintainer)
    r = client.get(f"/cases/{acknowledged.human_id}/remediation/")
    assert r.status_code == 200
    for text in (b"Fix A", b"Propose a patch", b"Status per version", b"Dates"):
        assert text in r.content
    _no_inline_code(r.content)


def test_acknowledge_and_dispute_forms(client, notified, maintainer):
    client.force_login(maintainer)
    url = f"/cases/{notified.human_id}/remediation/"
    r = client.post(url + "dispute/", {"outcome": "wont_fix", "reason": ""}, follow=True)
    assert b"a dispute needs a reason" in r.content
    client.post(url + "acknowledge/", {})
    notified.refresh_from_db()
    assert notified.status == Status.ACKNOWLEDGED


def test_dates_form_reads_utc(client, notified, maintainer):
    client.force_login(maintainer)
    url = f"/cases/{notified.human_id}/remediation/dates/"
    r = client.post(url, {"disclosure_at": "2020-01-01T10:00"}, follow=True)
    assert b"must be in the future" in r.content
    r = client.post(url, {"target_fix_on": "soon"}, follow=True)
    assert b"YYYY-MM-DD" in r.content


def test_propose_through_the_form_and_compare_side_by_side(client, acknowledged, maintainer):
    client.force_login(maintainer)
    base = f"/cases/{acknowledged.human_id}"
    r = client.post(f"{base}/patches/", {"title": "Not a diff", "diff": "hello"}, follow=True)
    assert b"not a unified diff" in r.content
    for title, diff in (("A", GOOD_DIFF), ("B", OTHER_DIFF)):
        client.post(f"{base}/patches/", {"title": title, "diff": diff.replace("\n", "\r\n")})
    a, b = PatchProposal.objects.order_by("id")
    r = client.get(f"{base}/patches/compare/", {"p": [a.public_id, b.public_id]})
    assert r.status_code == 200
    assert b'class="side-by-side"' in r.content
    assert b"entities=False" in r.content and b"max_depth=10" in r.content
    _no_inline_code(r.content)
    r = client.get(f"{base}/patches/{a.public_id}/")
    assert b"Choose as the canonical fix" in r.content
    client.post(f"{base}/patches/{a.public_id}/review/", {"verdict": "approve"})
    client.post(f"{base}/patches/{a.public_id}/choose/", {})
    r = client.post(f"{base}/patches/{b.public_id}/choose/", {}, follow=True)
    assert b"already the canonical fix" in r.content
    r = client.get(f"{base}/fix.mbox")
    assert r.status_code == 200 and b"Subject: [PATCH] A" in r.content
    assert "attachment" in r["Content-Disposition"]


def test_terms_page(client, project, maintainer):
    client.force_login(maintainer)
    url = f"/projects/{project.slug}/terms/"
    r = client.post(
        url,
        {
            "contact_channels": "email sec@yamlkit.example\nplatform",
            "embargo_max_days": "30",
            "accepts_patches": "on",
            "rules": "cwe | CWE-400 | DoS is documented\nkeyword | debug mode | not for prod",
        },
        follow=True,
    )
    assert b"Terms saved." in r.content and b"CWE-400" in r.content
    terms = ProjectTerms.objects.get()
    assert terms.accepts_patches and not terms.accepts_ai_patches
    assert terms.rules.count() == 2
    r = client.post(url, {"rules": "cwe CWE-1"}, follow=True)
    assert b"kind | pattern | reason" in r.content
    _no_inline_code(client.get(url).content)


def test_sirt_steward_forms(client, notified, sirt, system, project):
    from akrites.remediation.tests.conftest import move_to

    escalated = move_to(notified, "escalate", actor=system)
    client.force_login(sirt)
    base = f"/cases/{escalated.human_id}/remediation/"
    client.post(base + "stewardship/", {"reason": "maintainers gone"})
    escalated.refresh_from_db()
    assert escalated.status == Status.STEWARDSHIP
    r = client.post(
        base + "release-plan/",
        {"channel": "fork", "fork_name": "", "version": "1.4.3", "handback": "x"},
        follow=True,
    )
    assert b"name the stewarded fork" in r.content
    r = client.post(
        base + "release-plan/",
        {"channel": "fork", "fork_name": "yamlkit-lts", "version": "1.4.3", "handback": "PR"},
        follow=True,
    )
    assert b"Release plan recorded." in r.content and b"yamlkit-lts" in r.content
