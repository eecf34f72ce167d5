"""Credit for every finder: a duplicate at intake or a merge adds its finders to the draft's
credit list (first arrival first, anonymous ones as "Anonymous"); the published documents
carry them all; an approved or published advisory is never changed by it."""

import json

import pytest

from akrites.audit.models import AuditEntry
from akrites.cases.triage.services import case_severity_assess
from akrites.dedup.services import case_merge, report_split
from akrites.dedup.tests.dedup_cast import BOILERPLATE, FIRST, REWORDED, parsed
from akrites.disclosure.models import Advisory, AdvisoryState, PublishedDocument
from akrites.disclosure.renderers import validate_document
from akrites.disclosure.services import advisory_create, advisory_update
from akrites.disclosure.tests.conftest import CONTENT, approve, make_ready, publish_now
from akrites.intake.models import Report
from akrites.intake.services import Submission, reports_record

ADA = {"name": "Ada Finder", "type": "FINDER"}
BOB = {"name": "Bob Later", "type": "FINDER"}
OTHER_BUG = parsed("Emitter", BOILERPLATE + "the `emit_scalar` writer follows symlinks.")


def _submit(actor, report, *, name="", anonymous=False):
    sub = Submission(report, credit_name=name, credit_anonymous=anonymous)
    [outcome] = reports_record(actor=actor, submissions=[sub])
    return Report.objects.select_related("case").get(pk=outcome.report.pk)


def _user(orgs, system, username):
    from akrites.accounts.models import User
    from akrites.orgs.services import membership_add

    user = User.objects.create_user(username=username, password="x-test-password-1")
    membership_add(actor=system, org=orgs["finder"], user=user, role="reporter")
    return user


@pytest.fixture
def finder(orgs, system):
    return _user(orgs, system, "finder2")


def _advisory(case):
    return Advisory.objects.get(case=case)


def _credits(case):
    return json.loads(_advisory(case).content)["credits"]


def _drafted(case, sirt, system, credits=None):
    """An accepted case with a complete draft whose credits are what the seed made of them."""
    case = make_ready(case, system)
    advisory = advisory_create(actor=sirt, case=case)
    seeded = json.loads(advisory.content)["credits"]
    changes = {**CONTENT, "credits": seeded if credits is None else credits}
    advisory_update(actor=sirt, advisory=advisory, changes=changes)
    return case


def _two_cases(reporter, finder):
    """The first finder's case waits in triage; the later finder's case opened after it."""
    first = _submit(reporter, FIRST, name="Ada Finder")
    later = _submit(finder, OTHER_BUG, name="Bob Later")
    assert first.case_id != later.case_id
    return first, later


def test_a_duplicate_at_intake_adds_its_finder_to_the_draft(
    project, reporter, finder, sirt, system
):
    first = _submit(reporter, FIRST, name="Ada Finder")
    case = _drafted(first.case, sirt, system)
    assert _credits(case) == [ADA]
    revision = _advisory(case).revision
    dup = _submit(finder, REWORDED[0], name="Bob Later")
    assert dup.case_id == case.pk and dup.status == "duplicate"
    assert _credits(case) == [ADA, BOB]
    assert _advisory(case).revision == revision + 1  # a change of what would be published
    entry = AuditEntry.objects.get(action="advisory.credit_finders")
    assert entry.object_id == case.human_id and "Bob" not in json.dumps(entry.data)


def test_an_anonymous_finder_is_credited_as_anonymous_and_never_by_name(
    project, reporter, finder, sirt, system
):
    first = _submit(reporter, FIRST, name="Ada Finder")
    case = _drafted(first.case, sirt, system)
    _submit(finder, REWORDED[0], name="Secret Sam", anonymous=True)
    advisory = _advisory(case)
    assert _credits(case) == [ADA, {"name": "Anonymous", "type": "FINDER"}]
    assert "Secret Sam" not in advisory.content
    public = publish_now(case, sirt)
    assert not any(
        "Secret Sam" in d.content for d in PublishedDocument.objects.filter(public=public)
    )


def test_a_merge_credits_every_finder_in_arrival_order_in_every_document(
    project, reporter, finder, sirt, system
):
    first, later = _two_cases(reporter, finder)
    target = _drafted(later.case, sirt, system)
    assert _credits(target) == [BOB]
    case_merge(actor=sirt, source=first.case, target=target, reason="same alias bomb")
    assert _credits(target) == [ADA, BOB]  # the earlier finder first
    public = publish_now(target, sirt)
    docs = {d.kind: json.loads(d.content) for d in PublishedDocument.objects.filter(public=public)}
    for kind in ("osv", "csaf", "cve"):
        validate_document(kind, docs[kind])
    assert docs["osv"]["credits"] == [ADA, BOB]
    [vulnerability] = docs["csaf"]["vulnerabilities"]
    assert vulnerability["acknowledgments"] == [{"names": ["Ada Finder", "Bob Later"]}]
    assert docs["cve"]["credits"] == [
        {"lang": "en", "value": "Ada Finder", "type": "finder"},
        {"lang": "en", "value": "Bob Later", "type": "finder"},
    ]


def test_a_merge_keeps_the_credits_the_sirt_edited(project, reporter, finder, sirt, system):
    first, later = _two_cases(reporter, finder)
    analyst = {"name": "Carol Analyst", "type": "ANALYST"}
    target = _drafted(later.case, sirt, system, credits=[BOB, analyst])
    case_merge(actor=sirt, source=first.case, target=target, reason="same alias bomb")
    assert _credits(target) == [ADA, BOB, analyst]


def test_a_finder_the_sirt_removed_is_not_added_back(project, reporter, finder, sirt, system):
    first = _submit(reporter, FIRST, name="Ada Finder")
    case = _drafted(first.case, sirt, system, credits=[])
    _submit(finder, REWORDED[0], name="Bob Later")
    assert _credits(case) == [BOB]


def test_an_approved_advisory_is_not_changed_by_a_merge(project, reporter, finder, sirt, system):
    first, later = _two_cases(reporter, finder)
    target = _drafted(later.case, sirt, system)
    approve(target, sirt)
    before = _advisory(target)
    case_merge(actor=sirt, source=first.case, target=target, reason="same alias bomb")
    after = _advisory(target)
    assert after.state == AdvisoryState.APPROVED
    assert (after.content, after.revision) == (before.content, before.revision)
    assert not AuditEntry.objects.filter(action="advisory.credit_finders").exists()


def test_a_published_advisory_is_not_changed_by_a_duplicate(
    project, reporter, finder, sirt, system
):
    first = _submit(reporter, FIRST, name="Ada Finder")
    case = _drafted(first.case, sirt, system)
    public = publish_now(case, sirt)
    texts = sorted(
        PublishedDocument.objects.filter(public=public).values_list("content", flat=True)
    )
    before = _advisory(case).content
    _submit(finder, REWORDED[0], name="Bob Later")
    assert _advisory(case).content == before
    assert sorted(PublishedDocument.objects.values_list("content", flat=True)) == texts


def test_the_draft_takes_the_sirt_assessment_over_the_reporters_claim(
    project, reporter, sirt, system
):
    claimed = parsed(
        FIRST.title,
        FIRST.description,
        fixed=("2.4.1",),
        cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        cwe=("CWE-400",),
    )
    case = _submit(reporter, claimed, name="Ada Finder").case
    assessed = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:L"
    case_severity_assess(actor=sirt, case=case, vector=assessed, cwe="CWE-776", reason="checked")
    case = make_ready(case, system)
    content = json.loads(advisory_create(actor=sirt, case=case).content)
    assert content["cvss"] == [assessed]
    assert content["cwes"] == ["CWE-776"]


def test_without_an_assessment_the_draft_keeps_the_reporters_claim(project, reporter, sirt, system):
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    claimed = parsed(FIRST.title, FIRST.description, cvss=vector, cwe=("CWE-400",))
    case = make_ready(_submit(reporter, claimed).case, system)
    content = json.loads(advisory_create(actor=sirt, case=case).content)
    assert (content["cvss"], content["cwes"]) == ([vector], ["CWE-400"])


def test_an_assessment_after_the_draft_is_carried_into_it(project, reporter, sirt, system):
    case = _drafted(_submit(reporter, FIRST).case, sirt, system)
    revision = _advisory(case).revision
    low = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:L"
    case_severity_assess(actor=sirt, case=case, vector=low, cwe="CWE-400", reason="checked")
    content = json.loads(_advisory(case).content)
    assert content["cvss"] == [low]  # replaces the draft's 3.1 vector
    assert content["cwes"] == ["CWE-400", "CWE-776"]  # first; the draft's own CWE stays
    assert _advisory(case).revision == revision + 1
    case.refresh_from_db()
    case_severity_assess(actor=sirt, case=case, cwe="CWE-20", reason="closer")
    content = json.loads(_advisory(case).content)
    assert (content["cvss"], content["cwes"]) == ([low], ["CWE-20", "CWE-776"])
    assert AuditEntry.objects.filter(action="advisory.take_assessment").count() == 2


def test_an_assessment_does_not_change_an_approved_advisory(project, reporter, sirt, system):
    case = _drafted(_submit(reporter, FIRST).case, sirt, system)
    approve(case, sirt)
    before = _advisory(case)
    low = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:L"
    case_severity_assess(actor=sirt, case=case, vector=low, cwe="CWE-400", reason="checked")
    after = _advisory(case)
    assert (after.state, after.content, after.revision) == (
        AdvisoryState.APPROVED,
        before.content,
        before.revision,
    )


@pytest.mark.parametrize("anonymous", [False, True])
def test_a_finder_split_out_of_the_case_loses_its_credit(
    project, reporter, finder, sirt, system, anonymous
):
    first = _submit(reporter, FIRST, name="Ada Finder")
    case = _drafted(first.case, sirt, system)
    dup = _submit(finder, REWORDED[0], name="Bob Later", anonymous=anonymous)
    assert len(_credits(case)) == 2
    report_split(actor=sirt, report=dup, reason="a different bug after all")
    assert _credits(case) == [ADA]
    assert AuditEntry.objects.filter(action="advisory.uncredit_finders").count() == 1


def test_a_split_keeps_a_credit_another_finder_still_asks_for(
    project, reporter, finder, sirt, system
):
    first = _submit(reporter, FIRST, name="Ada Finder")
    case = _drafted(first.case, sirt, system)
    dup = _submit(finder, REWORDED[0], name="Ada Finder")  # the same person, another account
    report_split(actor=sirt, report=dup, reason="a different bug after all")
    assert _credits(case) == [ADA]
