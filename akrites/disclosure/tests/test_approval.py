"""Approval: which revision, when, by whom — with a fresh code — and taking it back."""

import json

import pytest
from django.db import connection

from akrites.access.tests.conftest import verified
from akrites.audit.models import AuditEntry
from akrites.core.errors import Conflict, InvalidInput, PermissionDenied
from akrites.disclosure.models import Advisory, AdvisoryApproval, AdvisoryEvent, PublicAdvisory
from akrites.disclosure.services import (
    advisory_approve,
    advisory_update,
    advisory_withdraw_approval,
)
from akrites.disclosure.services.transitions import advisory_digest
from akrites.disclosure.tests.conftest import MARKER, after_instant, approve


def test_the_approval_records_the_revision_the_digest_and_when(draft, ready_case, sirt):
    approved = approve(ready_case, sirt)
    approval = AdvisoryApproval.objects.get()
    assert approval.revision == draft.revision == approved.revision
    assert approval.digest == advisory_digest(approved)
    assert approval.release == "at_instant"
    assert approval.approved_by == sirt and approval.approved_by_label == sirt.username
    entry = AuditEntry.objects.get(action="advisory.approve")
    assert entry.data["release"] == "at_instant" and entry.data["revision"] == draft.revision
    assert not PublicAdvisory.objects.exists()


def test_approving_a_revision_other_than_the_current_one_is_refused(draft, ready_case, sirt):
    advisory_update(actor=sirt, advisory=draft, changes={"summary": "Someone else's edit"})
    with pytest.raises(Conflict, match="changed since revision"):
        advisory_approve(actor=sirt, advisory=draft, revision=draft.revision, release="at_instant")
    assert not AdvisoryApproval.objects.exists()


@pytest.mark.parametrize(
    ("revision", "release", "field"), [(None, "now", "revision"), (1, "later", "release")]
)
def test_an_approval_names_a_revision_and_a_release(draft, sirt, revision, release, field):
    with pytest.raises(InvalidInput) as err:
        advisory_approve(actor=sirt, advisory=draft, revision=revision, release=release)
    assert err.value.field == field


def test_an_approved_advisory_is_not_approved_twice(draft, ready_case, sirt):
    approve(ready_case, sirt)
    with pytest.raises(Conflict):
        approve(ready_case, sirt)
    assert AdvisoryApproval.objects.count() == 1


def test_a_case_not_fix_ready_cannot_be_approved(case, sirt, system):
    from akrites.cases.services import case_transition
    from akrites.disclosure.tests.conftest import make_draft

    for name in ("accept", "notify_maintainers"):
        case_transition(actor=system, case=case, name=name)
    make_draft(case, sirt)
    with pytest.raises(Conflict, match="cannot be disclosed"):
        approve(case, sirt)


def test_withdrawing_the_approval_keeps_the_reason_encrypted(draft, ready_case, sirt, maintainer):
    approve(ready_case, sirt)
    back = advisory_withdraw_approval(
        actor=maintainer, advisory=draft, reason=f"the fix is incomplete {MARKER}"
    )
    assert back.state == "draft"
    event = AdvisoryEvent.objects.get(name="withdraw_approval")
    assert (event.old_state, event.new_state) == ("approved", "draft")
    assert event.reason.endswith(MARKER) and event.actor == maintainer
    entry = AuditEntry.objects.get(action="advisory.withdraw_approval")
    assert entry.data["event"] == event.pk and MARKER not in json.dumps(entry.data)
    with connection.cursor() as cur:
        cur.execute("SELECT reason FROM disclosure_advisoryevent WHERE id = %s", [event.pk])
        assert MARKER.encode() not in bytes(cur.fetchone()[0])
    with pytest.raises(Conflict):  # a draft has no approval to withdraw
        advisory_withdraw_approval(actor=sirt, advisory=draft)


def test_a_reporter_may_not_withdraw_an_approval(draft, ready_case, sirt, reporter):
    approve(ready_case, sirt)
    with pytest.raises(PermissionDenied):
        advisory_withdraw_approval(actor=reporter, advisory=draft)
    assert Advisory.objects.get(pk=draft.pk).state == "approved"


@pytest.mark.mfa
@pytest.mark.parametrize("release", ["now", "at_instant"])
def test_approval_needs_a_fresh_code(client, draft, ready_case, sirt, release):
    url = f"/api/v1/advisories/{ready_case.human_id}/approve"
    body = {"revision": draft.revision, "release": release}
    with after_instant(ready_case):
        verified(client, sirt, step_up=False)
        refused = client.post(url, body, content_type="application/json")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "step_up_required"
        assert not AdvisoryApproval.objects.exists() and not PublicAdvisory.objects.exists()
        verified(client, sirt)
        assert client.post(url, body, content_type="application/json").status_code == 200
    assert AdvisoryApproval.objects.count() == 1


def test_api_tokens_cannot_approve(draft, ready_case, sirt):
    from akrites.access.policy import allowed

    sirt._akrites_token_scopes = frozenset({"read", "submit"})
    assert not allowed(sirt, "advisory.approve", ready_case)
