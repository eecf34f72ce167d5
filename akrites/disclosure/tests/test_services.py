"""Drafting advisories, and publishing them once approved."""

import json
from datetime import timedelta

import pytest

from akrites.audit.models import AuditEntry
from akrites.cases.models import CaseParticipant
from akrites.cases.services import case_transition, participant_add
from akrites.core import clock
from akrites.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from akrites.disclosure import instant as instant_module
from akrites.disclosure.instant import disclosure_instant
from akrites.disclosure.models import (
    Advisory,
    AdvisoryApproval,
    PublicAdvisory,
    PublishedDocument,
)
from akrites.disclosure.services import (
    advisory_create,
    advisory_publish,
    advisory_schedule,
    advisory_update,
    publish_due,
)
from akrites.disclosure.tests.conftest import (
    after_instant,
    approve,
    make_draft,
    make_ready,
    publish_now,
)
from akrites.intake.models import Report


def _add_report(case, reporter, *, rank, name="", anonymous=False, cvss=None):
    from akrites.intake.services import report_create

    report = report_create(actor=reporter, title="dup", body="x", purl="pkg:pypi/yamlkit")
    details = json.loads(report.details)
    details["cvss"] = cvss
    Report.objects.filter(pk=report.pk).update(case=case, credit_rank=rank, status="duplicate")
    report = Report.objects.get(pk=report.pk)
    report.credit_name, report.credit_anonymous = name, anonymous
    report.details = json.dumps(details)
    report.save()
    return report


def test_draft_is_seeded_from_reports_first_finder_first(ready_case, reporter, sirt):
    first = ready_case.reports.get()
    first.credit_rank, first.credit_name = 1, "Ada Finder"
    first.save()
    _add_report(ready_case, reporter, rank=3, name="Late Larry")
    _add_report(
        ready_case,
        reporter,
        rank=2,
        anonymous=True,
        name="Hidden Name",
        cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    )
    advisory = advisory_create(actor=sirt, case=ready_case)
    content = json.loads(advisory.content)
    assert [c["name"] for c in content["credits"]] == ["Ada Finder", "Anonymous", "Late Larry"]
    assert "Hidden Name" not in advisory.content
    assert content["summary"] == "Billion laughs in yamlkit.load"
    assert content["affected"][0]["purl"] == "pkg:pypi/yamlkit"
    assert content["cvss"] == ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"]


def test_draft_content_is_encrypted_at_rest(draft):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT content FROM disclosure_advisory WHERE id = %s", [draft.pk])
        raw = bytes(cur.fetchone()[0])
    assert b"yamlkit" not in raw and b"Billion" not in raw


def test_one_advisory_per_case_and_only_once_accepted(case, ready_case, sirt):
    advisory_create(actor=sirt, case=ready_case)
    with pytest.raises(Conflict):
        advisory_create(actor=sirt, case=ready_case)


def test_no_advisory_for_a_case_in_triage(case, sirt):
    with pytest.raises(Conflict):
        advisory_create(actor=sirt, case=case)


def test_who_may_draft(ready_case, maintainer, reporter, outsider, member_observer):
    advisory = advisory_create(actor=maintainer, case=ready_case)
    advisory_update(actor=maintainer, advisory=advisory, changes={"summary": "New title"})
    with pytest.raises(PermissionDenied):
        advisory_update(actor=reporter, advisory=advisory, changes={"summary": "x"})
    with pytest.raises(NotFound):
        advisory_update(actor=outsider, advisory=advisory, changes={"summary": "x"})
    assert json.loads(Advisory.objects.get(pk=advisory.pk).content)["summary"] == "New title"


def test_an_invalid_edit_changes_nothing(draft, sirt):
    before = Advisory.objects.get(pk=draft.pk).content
    with pytest.raises(InvalidInput) as err:
        advisory_update(actor=sirt, advisory=draft, changes={"summary": "ok", "cwes": ["CWE-0"]})
    assert err.value.field == "cwes[0]"
    with pytest.raises(InvalidInput):
        advisory_update(actor=sirt, advisory=draft, changes={"secret_field": 1})
    assert Advisory.objects.get(pk=draft.pk).content == before


def test_approving_for_now_before_the_instant_is_refused(draft, ready_case, sirt):
    instant = disclosure_instant(ready_case)
    assert instant is not None and instant > clock.now()
    with clock.frozen(instant - timedelta(seconds=1)), pytest.raises(Conflict) as err:
        approve(ready_case, sirt, "now")
    assert "embargoed until" in err.value.message
    assert not PublicAdvisory.objects.exists()
    assert Advisory.objects.get(pk=draft.pk).state == "draft"
    assert not AdvisoryApproval.objects.exists()
    ready_case.refresh_from_db()
    assert ready_case.status == "fix_ready"


def test_approving_now_at_the_instant_publishes_everything(draft, ready_case, sirt):
    public = publish_now(ready_case, sirt)
    assert public.public_id.startswith(f"AKRITES-{public.published_at.year}-")
    assert public.osv_id == "x_" + public.public_id
    assert set(public.documents.values_list("kind", flat=True)) == {
        "osv",
        "cve",
        "csaf",
        "openvex",
        "cyclonedx",
    }
    ready_case.refresh_from_db()
    assert ready_case.status == "disclosed"
    assert Advisory.objects.get(pk=draft.pk).state == "published"
    entry = AuditEntry.objects.filter(action="advisory.publish").get()
    assert entry.data["public_id"] == public.public_id
    assert AuditEntry.objects.filter(action="advisory.approve").count() == 1
    with pytest.raises(Conflict):
        approve(ready_case, sirt, "now")
    with pytest.raises(Conflict):
        advisory_publish(actor=sirt, case=ready_case)


def test_an_early_lift_of_the_embargo_allows_publication(draft, ready_case, sirt, maintainer):
    from akrites.confidentiality.services.embargo import embargo_lift_approve, embargo_lift_propose

    change = embargo_lift_propose(actor=maintainer, case=ready_case, reason="fixed early")
    embargo_lift_approve(actor=sirt, change=change)
    assert disclosure_instant(ready_case) <= clock.now()
    approve(ready_case, sirt, "now")
    assert PublicAdvisory.objects.count() == 1


def test_without_an_embargo_the_maintainers_date_counts(
    draft, ready_case, maintainer, sirt, monkeypatch
):
    monkeypatch.setattr(instant_module, "embargo_end", lambda case: None)
    with pytest.raises(Conflict, match="no disclosure instant"):
        approve(ready_case, sirt, "now")
    when = clock.now() + timedelta(days=3)
    advisory_schedule(actor=maintainer, advisory=draft, disclose_at=when)
    assert disclosure_instant(ready_case) == when
    with clock.frozen(when):
        approve(ready_case, sirt, "now")
    assert PublicAdvisory.objects.count() == 1


def test_schedule_is_refused_under_embargo(draft, maintainer):
    with pytest.raises(Conflict, match="embargo"):
        advisory_schedule(actor=maintainer, advisory=draft, disclose_at=clock.now())


def test_after_break_embargo_publication_records_the_disclosure(draft, ready_case, sirt):
    case_transition(actor=sirt, case=ready_case, name="break_embargo", reason="exploited")
    approve(ready_case, sirt, "now")
    assert AuditEntry.objects.get(action="advisory.publish").data["already_disclosed"] is True
    assert PublicAdvisory.objects.get().documents.count() == 5


def test_only_the_sirt_approves_and_publishes(draft, ready_case, maintainer, outsider):
    with after_instant(ready_case):
        with pytest.raises(PermissionDenied):
            approve(ready_case, maintainer, "now")
        with pytest.raises(NotFound):
            approve(ready_case, outsider, "now")
        with pytest.raises(PermissionDenied):
            advisory_publish(actor=maintainer, case=ready_case)
    assert not PublicAdvisory.objects.exists() and not AdvisoryApproval.objects.exists()


@pytest.mark.parametrize("release", ["now", "at_instant"])
def test_an_advisory_without_range_is_not_approved(ready_case, sirt, release):
    make_draft(ready_case, sirt, {"affected": [{"purl": "pkg:pypi/yamlkit"}]})
    with after_instant(ready_case), pytest.raises(InvalidInput):
        approve(ready_case, sirt, release)
    assert not PublishedDocument.objects.exists() and not AdvisoryApproval.objects.exists()


@pytest.mark.parametrize("release", ["now", "at_instant"])
def test_a_document_that_does_not_validate_publishes_nothing(
    draft, ready_case, sirt, monkeypatch, release
):
    from akrites.disclosure.renderers import DocumentInvalid
    from akrites.disclosure.renderers import validate as validate_module

    real = validate_module.validate_document

    def failing(kind, doc):
        if kind == "cyclonedx":  # the last one: the others were rendered and validated
            raise DocumentInvalid("the cyclonedx document does not validate")
        real(kind, doc)

    monkeypatch.setattr("akrites.disclosure.renderers.validate_document", failing)
    with after_instant(ready_case), pytest.raises(DocumentInvalid):
        approve(ready_case, sirt, release)
    assert not PublicAdvisory.objects.exists() and not AdvisoryApproval.objects.exists()
    assert Advisory.objects.get(pk=draft.pk).state == "draft"
    ready_case.refresh_from_db()
    assert ready_case.status == "fix_ready"


def test_observers_lose_access_at_publication(draft, ready_case, sirt, member_observer):
    participant_add(actor=sirt, case=ready_case, user=member_observer, role="observer")
    publish_now(ready_case, sirt)
    assert CaseParticipant.objects.get(user=member_observer).revoked_at is not None


def test_publish_due_publishes_only_what_is_due(ready_case, other_case, sirt, system):
    make_draft(ready_case, sirt)
    approve(ready_case, sirt)
    make_ready(other_case, system)
    make_draft(
        other_case,
        system,
        {
            "summary": "Overflow in rivet",
            "affected": [{"purl": "pkg:cargo/rivet", "fixed": ["0.3.1"]}],
        },
    )
    approve(other_case, sirt)
    assert publish_due(actor=system) == []
    from akrites.confidentiality.services.embargo import embargo_set_date

    soon = clock.now() + timedelta(days=2)
    while soon.weekday() >= 5:
        soon += timedelta(days=1)
    embargo_set_date(actor=sirt, case=other_case, ends_at=soon)
    with clock.frozen(soon):
        published = publish_due(actor=system)
        assert len(published) == 1
        assert publish_due(actor=system) == []  # idempotent
    assert PublicAdvisory.objects.get().summary == "Overflow in rivet"
    with after_instant(ready_case):
        assert len(publish_due(actor=system)) == 1
