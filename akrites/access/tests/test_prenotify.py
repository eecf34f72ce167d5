import json
from datetime import timedelta

import pytest

from akrites.access.policy import allowed, case_roles
from akrites.access.tests.conftest import prenotify, weekday_in
from akrites.audit.models import AuditEntry
from akrites.cases.parties import visible_cases
from akrites.confidentiality.models import PrenotificationGrant, Sbom
from akrites.confidentiality.selectors import prenotify_candidates
from akrites.confidentiality.services import (
    embargo_set_date,
    prenotify_grant,
    prenotify_revoke,
    sbom_register,
    terms_accept,
)
from akrites.core.clock import advance, now
from akrites.core.errors import InvalidInput, NotFound
from akrites.orgs.services import membership_add, org_create


def cyclonedx(*components):
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "version": 1,
            "components": [
                {"type": "library", "name": name, "version": v, "purl": f"{purl}@{v}"}
                for purl, name, v in components
            ],
        }
    ).encode()


@pytest.fixture
def affected_case(project, reporter, sirt, maintainer):
    from akrites.access.tests.conftest import move
    from akrites.intake.parsers import PackageRef, ParsedReport
    from akrites.intake.services import Submission, reports_record

    parsed = ParsedReport(
        title="Alias loop",
        source_format="akrites",
        description="d",
        package=PackageRef(purl="pkg:pypi/yamlkit", affected="vers:pypi/>=1.0|<1.4"),
    )
    case = reports_record(actor=reporter, submissions=[Submission(parsed)])[0].case
    return move(case, sirt, maintainer, "notify_maintainers")


def test_candidates_are_members_running_an_affected_version(
    affected_case, maintainer, member_observer, orgs, system
):
    other = org_create(actor=system, name="Safe Cloud", kind="member", slug="safe")
    sbom_register(
        actor=member_observer,
        organisation=orgs["member"],
        name="prod",
        document=cyclonedx(("pkg:pypi/yamlkit", "yamlkit", "1.2.0"), ("pkg:npm/left", "left", "1")),
    )
    sbom_register(
        actor=system,
        organisation=other,
        name="p",
        document=cyclonedx(("pkg:pypi/yamlkit", "yamlkit", "1.5.0")),
    )
    found = prenotify_candidates(viewer=maintainer, case=affected_case)
    assert [c.organisation.slug for c in found] == [orgs["member"].slug]
    assert found[0].matches == [("pkg:pypi/yamlkit", "1.2.0")]


@pytest.mark.parametrize(
    "document",
    [
        b"not json",
        b'{"bomFormat": "SPDX"}',
        b'{"spdxVersion": "SPDX-2.3"}',
        b'{"bomFormat": "CycloneDX", "specVersion": "9.9"}',
        b"[]",
        b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": 7}]}',
    ],
)
def test_a_document_that_is_not_cyclonedx_is_refused(document, member_observer, orgs):
    with pytest.raises(InvalidInput) as exc:
        sbom_register(
            actor=member_observer, organisation=orgs["member"], name="x", document=document
        )
    assert exc.value.field == "document"
    assert not Sbom.objects.exists()


def test_sbom_api_answers_422_for_spdx_and_404_for_another_org(client, member_observer, orgs):
    client.force_login(member_observer)
    r = client.post(
        f"/api/v1/orgs/{orgs['member'].slug}/sboms?name=x",
        b'{"spdxVersion": "SPDX-2.3"}',
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "document"
    r = client.post(
        f"/api/v1/orgs/{orgs['downstream'].slug}/sboms",
        cyclonedx(),
        content_type="application/json",
    )
    assert r.status_code == 404
    assert not Sbom.objects.exists()


def test_only_maintainers_decide_whom_to_tell(notified, coordinator, member_observer, orgs):
    embargo_set_date(actor=coordinator, case=notified, ends_at=weekday_in(14))
    assert not allowed(coordinator, "prenotify.grant", notified)
    assert not allowed(member_observer, "prenotify.grant", notified)


@pytest.mark.parametrize("days", [0, 60])
def test_lead_time_outside_policy_is_refused(notified, maintainer, orgs, days):
    embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(80))
    when = weekday_in(80) - timedelta(days=days)
    with pytest.raises(InvalidInput):
        prenotify_grant(
            actor=maintainer, case=notified, organisation=orgs["member"], notify_at=when
        )
    assert not PrenotificationGrant.objects.exists()


def test_observer_sees_nothing_until_told_and_accepting(
    client, notified, maintainer, member_observer, orgs
):
    embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(20))
    later = now() + timedelta(days=3)
    prenotify_grant(actor=maintainer, case=notified, organisation=orgs["member"], notify_at=later)
    client.force_login(member_observer)
    # Not yet told: terms and case are both 404.
    assert client.get(f"/cases/{notified.human_id}/terms/").status_code == 404
    advance(timedelta(days=4))
    client.force_login(member_observer)  # the idle timeout ended the old session
    assert case_roles(member_observer, notified) == {"pending_observer"}
    assert client.get(f"/cases/{notified.human_id}/").status_code == 404
    terms = client.get(f"/cases/{notified.human_id}/terms/")
    assert terms.status_code == 200 and notified.title.encode() not in terms.content
    assert client.post(f"/cases/{notified.human_id}/terms/").status_code == 302
    assert client.get(f"/cases/{notified.human_id}/").status_code == 200
    entry = AuditEntry.objects.get(action="embargo.accept_terms")
    assert entry.actor_id == member_observer.pk and len(entry.data["digest"]) == 64


def test_observer_reads_the_advisory_side_not_the_raw_report(client, observed, member_observer):
    client.force_login(member_observer)
    content = client.get(f"/api/v1/cases/{observed.human_id}/content").json()
    assert (
        content["reports"] is None and content["advisory_draft"] and not content["internal_notes"]
    )


def test_maintainers_may_grant_the_raw_report(client, notified, maintainer, member_observer, orgs):
    prenotify(notified, maintainer, orgs["member"], accept_by=member_observer, include_report=True)
    client.force_login(member_observer)
    content = client.get(f"/api/v1/cases/{notified.human_id}/content").json()
    assert [r["title"] for r in content["reports"]] == [notified.reports.get().title]


def test_revoked_observer_replaying_a_link_gets_404(client, observed, maintainer, member_observer):
    client.force_login(member_observer)
    urls = [
        f"/cases/{observed.human_id}/",
        f"/api/v1/cases/{observed.human_id}",
        f"/api/v1/cases/{observed.human_id}/content",
        f"/cases/{observed.human_id}/embargo/",
    ]
    assert all(client.get(u).status_code == 200 for u in urls)
    prenotify_revoke(actor=maintainer, case=observed, user=member_observer)
    assert [client.get(u).status_code for u in urls] == [404] * len(urls)
    assert observed not in visible_cases(member_observer)
    denied = AuditEntry.objects.filter(action="access.denied", actor_id=member_observer.pk)
    assert denied.count() == 1  # deduplicated: one entry per actor and case per window


def test_observer_guessing_ids_gets_404(client, observed, other_case, member_observer):
    client.force_login(member_observer)
    for case_id in (other_case.human_id, "AKR-2026-99999"):
        assert client.get(f"/cases/{case_id}/").status_code == 404
        assert client.get(f"/api/v1/cases/{case_id}/content").json() == {
            "error": {"code": "not_found", "message": "Not found."}
        }


def test_accepting_twice_is_idempotent_and_others_cannot_accept(
    observed, member_observer, reporter
):
    first = PrenotificationGrant.objects.get(user=member_observer).accepted_at
    terms_accept(actor=member_observer, case=observed)
    assert PrenotificationGrant.objects.get(user=member_observer).accepted_at == first
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied or NotFound, both refuse
        terms_accept(actor=reporter, case=observed)


def test_org_without_observers_cannot_be_told(notified, maintainer, system):
    empty = org_create(actor=system, name="Empty", kind="member", slug="empty")
    embargo_set_date(actor=maintainer, case=notified, ends_at=weekday_in(14))
    with pytest.raises(InvalidInput):
        prenotify_grant(actor=maintainer, case=notified, organisation=empty)
    _ = membership_add
    with pytest.raises(NotFound):
        prenotify_revoke(actor=maintainer, case=notified, user=maintainer)
