"""The embargo and embargo-change transition tables: the docs come from them, their actions
are policy actions, every state is reached, what they refuse changes nothing, and no write
of either state field goes around them."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from akrites.access.policy import ACTIONS
from akrites.access.tests.conftest import move, weekday_in
from akrites.audit.models import AuditEntry
from akrites.confidentiality import services
from akrites.confidentiality.lifecycle import CHANGE, CHANGE_KIND, EMBARGO, MACHINES
from akrites.confidentiality.models import (
    ChangeKind,
    ChangeStatus,
    Embargo,
    EmbargoChange,
    EmbargoState,
)
from akrites.confidentiality.services import (
    embargo_break,
    embargo_decide_extension,
    embargo_lift_approve,
    embargo_lift_propose,
    embargo_request_extension,
)
from akrites.confidentiality.services.embargo import locked_embargo
from akrites.confidentiality.services.transitions import (
    change_transition,
    embargo_transition,
    locked_change,
)
from akrites.core.clock import now
from akrites.core.errors import Conflict
from akrites.core.stateguard import StateWriteOutsideTable

STATES = {EMBARGO.name: set(EmbargoState.values), CHANGE.name: set(ChangeStatus.values)}


def _extension(case, by):
    return embargo_request_extension(actor=by, case=case, until=weekday_in(120), reason="r")


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_the_embargo_documents_are_generated_from_the_tables(machine):
    path = Path(settings.BASE_DIR) / "docs" / machine.doc
    assert path.read_text(encoding="utf-8") == machine.markdown(), (
        f"docs/{machine.doc} is stale: run `akrites docs {machine.name}`"
    )


@pytest.mark.django_db
def test_akrites_docs_checks_both_files():
    from akrites_cli.main import main

    assert main(["docs", "embargo", "--check"]) == 0
    assert main(["docs", "embargo-change", "--check"]) == 0


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_every_transition_is_a_known_policy_action_run_by_a_service(machine):
    for t in machine.transitions:
        assert t.action in ACTIONS, t.name
        assert callable(getattr(services, t.service)), t.name
        assert {*t.sources, t.target} <= STATES[machine.name]
    assert set(CHANGE_KIND) == set(CHANGE.by_name)
    assert set(CHANGE_KIND.values()) == set(ChangeKind.values)


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_every_state_is_reachable_and_nothing_leaves_a_final_one(machine):
    assert {machine.initial} | {t.target for t in machine.transitions} == STATES[machine.name]
    assert machine.states == STATES[machine.name]
    assert all(not machine.allowed_from(final) for final in machine.finals)


def test_the_services_reach_every_embargo_state(notified, maintainer, coordinator):
    assert locked_embargo_state(notified) == EmbargoState.ACTIVE
    change = embargo_lift_propose(actor=maintainer, case=notified, reason="fix shipped")
    assert embargo_lift_approve(actor=coordinator, change=change).state == EmbargoState.LIFTED
    embargo_break(actor=coordinator, case=notified, reason="exploit on a forum")
    assert Embargo.objects.get(case=notified).state == EmbargoState.BROKEN  # lifted → broken
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="embargo.")] == [
        "embargo.lift_propose",
        "embargo.lift",
        "embargo.break",
    ]


def test_a_break_before_anything_was_stored_creates_the_embargo_broken(case, sirt, coordinator):
    accepted = move(case, sirt, None, "accept")
    assert not Embargo.objects.filter(case=accepted).exists()
    embargo_break(actor=coordinator, case=accepted, reason="leak")
    embargo = Embargo.objects.get(case=accepted)
    assert embargo.state == EmbargoState.BROKEN
    assert embargo.starts_at == embargo.limit_at <= embargo.ends_at <= now()


def test_the_services_reach_every_change_state(notified, maintainer, coordinator):
    granted = _extension(notified, maintainer)
    refused = _extension(notified, maintainer)
    lift = embargo_lift_propose(actor=maintainer, case=notified, reason="fix shipped")
    embargo_decide_extension(actor=coordinator, change=granted, approve=True)
    embargo_decide_extension(actor=coordinator, change=refused, approve=False)
    embargo_lift_approve(actor=coordinator, change=lift)
    decided = {c.pk: (c.status, c.decided_by_id) for c in EmbargoChange.objects.all()}
    assert decided == {
        granted.pk: (ChangeStatus.APPROVED, coordinator.pk),
        refused.pk: (ChangeStatus.REJECTED, coordinator.pk),
        lift.pk: (ChangeStatus.APPROVED, coordinator.pk),
    }


@pytest.mark.parametrize("name", ["lift", "break"])
def test_an_embargo_transition_the_table_does_not_allow_changes_nothing(
    notified, coordinator, system, name
):
    embargo_break(actor=coordinator, case=notified, reason="exploit on a forum")
    broken = Embargo.objects.get(case=notified)
    entries = AuditEntry.objects.count()
    with pytest.raises(Conflict, match=f"cannot {name} an embargo that is broken"):
        embargo_transition(
            actor=system, case=notified, embargo=broken, name=name, at=now(), data={}
        )
    after = Embargo.objects.get(case=notified)
    assert (after.state, after.ends_at, after.updated_at) == (
        EmbargoState.BROKEN,
        broken.ends_at,
        broken.updated_at,
    )
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    "kind, decided, name",
    [
        ("extend", True, "approve_extension"),
        ("extend", True, "reject_extension"),
        ("extend", False, "approve_lift"),
        ("lift", False, "approve_extension"),
        ("lift", True, "approve_lift"),
    ],
)
def test_a_change_transition_the_table_does_not_allow_changes_nothing(
    notified, maintainer, coordinator, kind, decided, name
):
    if kind == "extend":
        change = _extension(notified, maintainer)
        if decided:
            embargo_decide_extension(actor=coordinator, change=change, approve=False)
    else:
        change = embargo_lift_propose(actor=maintainer, case=notified, reason="fix shipped")
        if decided:
            embargo_lift_approve(actor=coordinator, change=change)
    before = EmbargoChange.objects.values().get(pk=change.pk)
    change.refresh_from_db()
    with pytest.raises(Conflict, match="this change is not pending"):
        locked_change(change, name=name)
    with pytest.raises(Conflict, match="this change is not pending"):
        change_transition(actor=coordinator, change=change, name=name)
    assert EmbargoChange.objects.values().get(pk=change.pk) == before


def test_a_decided_extension_cannot_be_decided_again(notified, maintainer, coordinator, sirt):
    change = _extension(notified, maintainer)
    embargo_decide_extension(actor=coordinator, change=change, approve=False)
    ends_at = Embargo.objects.get(case=notified).ends_at
    with pytest.raises(Conflict, match="this change is not pending"):
        embargo_decide_extension(actor=sirt, change=change, approve=True)
    assert EmbargoChange.objects.get(pk=change.pk).status == ChangeStatus.REJECTED
    assert Embargo.objects.get(case=notified).ends_at == ends_at


def locked_embargo_state(case):
    with transaction.atomic():
        return locked_embargo(case).state


def test_an_embargo_state_written_behind_the_table_is_refused(notified):
    """core.stateguard: only ``embargo_transition`` writes the state, so the whole suite
    proves no service lifts or breaks an embargo behind the table."""
    with transaction.atomic():
        embargo = locked_embargo(notified)
    embargo.state = EmbargoState.LIFTED
    with pytest.raises(StateWriteOutsideTable):
        embargo.save()
    with pytest.raises(StateWriteOutsideTable):
        embargo.save(update_fields=["state"])
    with pytest.raises(StateWriteOutsideTable):
        Embargo.objects.filter(pk=embargo.pk).update(state=EmbargoState.BROKEN)
    with pytest.raises(StateWriteOutsideTable):
        Embargo.objects.bulk_update([embargo], ["state"])
    assert Embargo.objects.get(pk=embargo.pk).state == EmbargoState.ACTIVE
    Embargo.objects.filter(pk=embargo.pk).delete()
    with pytest.raises(StateWriteOutsideTable):
        Embargo.objects.create(
            case=notified,
            starts_at=embargo.starts_at,
            ends_at=embargo.ends_at,
            limit_at=embargo.limit_at,
            state=EmbargoState.BROKEN,
        )
    assert not Embargo.objects.filter(case=notified).exists()


def test_a_change_status_written_behind_the_table_is_refused(notified, maintainer, coordinator):
    """Only ``change_transition`` writes a change's status: an extension or an early lift
    cannot be approved around the two-person checks of the services."""
    change = _extension(notified, maintainer)
    change.status = ChangeStatus.APPROVED
    with pytest.raises(StateWriteOutsideTable):
        change.save()
    with pytest.raises(StateWriteOutsideTable):
        EmbargoChange.objects.filter(pk=change.pk).update(status=ChangeStatus.REJECTED)
    with pytest.raises(StateWriteOutsideTable):
        EmbargoChange.objects.bulk_update([change], ["status"])
    with pytest.raises(StateWriteOutsideTable):
        EmbargoChange.objects.create(
            embargo=change.embargo, kind=ChangeKind.LIFT, reason="r", status="approved"
        )
    assert list(EmbargoChange.objects.values_list("status", flat=True)) == ["pending"]
    # Still pending, so the SIRT decides it the ordinary way.
    embargo_decide_extension(actor=coordinator, change=change, approve=False)
    assert EmbargoChange.objects.get(pk=change.pk).status == ChangeStatus.REJECTED
