"""The patch proposal's transition table: the doc is generated from it, its actions are policy
actions, and ``patch_transition`` is the only way a patch changes state."""

from pathlib import Path

import pytest
from django.conf import settings

from akrites.access.policy import ACTIONS
from akrites.audit.models import AuditEntry
from akrites.cases.models import TimelineEntry
from akrites.core.errors import Conflict, InvalidInput
from akrites.core.stateguard import StateWriteOutsideTable, transitioning
from akrites.remediation.lifecycle import MACHINE, TRANSITIONS
from akrites.remediation.models import PatchProposal, PatchState
from akrites.remediation.services import patch_choose, patch_propose
from akrites.remediation.services.transitions import patch_transition
from akrites.remediation.tests.conftest import GOOD_DIFF, OTHER_DIFF


@pytest.fixture
def proposed(acknowledged, reporter):
    return patch_propose(actor=reporter, case=acknowledged, title="fix", diff=GOOD_DIFF)


def _records():
    return (
        TimelineEntry.objects.count(),
        AuditEntry.objects.exclude(action="access.denied").count(),
    )


def test_the_patch_lifecycle_doc_is_generated_from_the_table():
    path = Path(settings.BASE_DIR) / "docs" / MACHINE.doc
    assert path.read_text(encoding="utf-8") == MACHINE.markdown(), (
        f"docs/{MACHINE.doc} is stale: run `akrites docs {MACHINE.name}`"
    )


def test_akrites_docs_patch_checks_the_file():
    from akrites_cli.main import main

    assert main(["docs", "patch", "--check"]) == 0


def test_every_transition_is_guarded_by_a_policy_action():
    assert {t.action for t in TRANSITIONS} <= ACTIONS
    for t in TRANSITIONS:
        assert {*t.sources, t.target} <= set(PatchState.values)


def test_every_transition_records_a_timeline_entry():
    from akrites.remediation.services.transitions import _TIMELINE

    assert set(_TIMELINE) == set(MACHINE.by_name)


def test_every_state_is_reachable_and_canonical_is_final():
    reached = {MACHINE.initial} | {t.target for t in TRANSITIONS}
    assert reached == set(PatchState.values) == MACHINE.states
    assert MACHINE.initial == PatchProposal.STATE_INITIAL == PatchState.PROPOSED
    assert MACHINE.name == PatchProposal.STATE_MACHINE
    assert not MACHINE.allowed_from(PatchState.CANONICAL)


def test_a_new_patch_is_proposed_and_choosing_makes_it_canonical(
    proposed, acknowledged, maintainer
):
    assert proposed.state == PatchState.PROPOSED and not proposed.canonical
    chosen = patch_choose(
        actor=maintainer, case=acknowledged, patch_id=proposed.public_id, reason="small"
    )
    assert chosen.state == PatchState.CANONICAL and chosen.canonical
    assert chosen.chosen_by == maintainer and chosen.chosen_at is not None
    entry = TimelineEntry.objects.get(kind="canonical_fix")
    assert entry.reason == f"{proposed.public_id} chosen as the canonical fix: small"
    assert entry.visibility == "participants"
    audit = AuditEntry.objects.get(action="patch.choose")
    assert (audit.object_type, audit.object_id) == ("patch", proposed.public_id)
    assert audit.data == {"case": acknowledged.human_id}


def test_a_transition_the_table_does_not_allow_changes_nothing(proposed, acknowledged, maintainer):
    patch_choose(actor=maintainer, case=acknowledged, patch_id=proposed.public_id)
    chosen = PatchProposal.objects.get(pk=proposed.pk)
    before = (_records(), chosen.chosen_at, chosen.updated_at)
    with pytest.raises(Conflict, match="cannot choose a patch that is canonical"):
        patch_transition(actor=maintainer, case=acknowledged, patch=chosen, name="choose")
    with pytest.raises(InvalidInput):
        patch_transition(actor=maintainer, case=acknowledged, patch=chosen, name="unchoose")
    chosen.refresh_from_db()
    assert (_records(), chosen.chosen_at, chosen.updated_at) == before
    assert chosen.state == PatchState.CANONICAL


def test_a_patch_chosen_meanwhile_is_not_chosen_twice(proposed, acknowledged, maintainer):
    """The claim is a conditional UPDATE inside the table: a caller holding a stale copy (read
    while ``proposed``) loses, and nothing is recorded twice."""
    stale = PatchProposal.objects.get(pk=proposed.pk)
    patch_choose(actor=maintainer, case=acknowledged, patch_id=proposed.public_id)
    before = _records()
    with pytest.raises(Conflict):
        patch_transition(actor=maintainer, case=acknowledged, patch=stale, name="choose")
    assert _records() == before


def test_a_second_canonical_fix_is_refused_inside_the_table(proposed, acknowledged, maintainer):
    """Even a caller that skipped the service's check meets the partial unique index, which
    the table's function turns into Conflict without recording anything."""
    other = patch_propose(actor=maintainer, case=acknowledged, title="m", diff=OTHER_DIFF)
    patch_choose(actor=maintainer, case=acknowledged, patch_id=proposed.public_id)
    before = _records()
    with pytest.raises(Conflict, match="another patch became the canonical fix meanwhile"):
        patch_transition(actor=maintainer, case=acknowledged, patch=other, name="choose")
    # The refusal stayed in the function's savepoint: the caller's transaction still works.
    assert _records() == before
    assert PatchProposal.objects.get(pk=other.pk).state == PatchState.PROPOSED


def test_a_state_written_behind_the_table_is_refused(proposed, acknowledged):
    """core.stateguard: only ``patch_transition`` writes the state, so the suite proves no
    service makes a patch canonical (or un-canonical) behind the table."""
    proposed.state = PatchState.CANONICAL
    with pytest.raises(StateWriteOutsideTable):
        proposed.save()
    with pytest.raises(StateWriteOutsideTable):
        PatchProposal.objects.filter(pk=proposed.pk).update(state=PatchState.CANONICAL)
    with pytest.raises(StateWriteOutsideTable):
        PatchProposal.objects.bulk_update([proposed], ["state"])
    with pytest.raises(StateWriteOutsideTable):
        PatchProposal.objects.create(
            case=acknowledged,
            author_label="x",
            author_role="sirt",
            title="t",
            diff=GOOD_DIFF,
            state=PatchState.CANONICAL,
        )
    assert PatchProposal.objects.get(pk=proposed.pk).state == PatchState.PROPOSED
    assert not PatchProposal.objects.filter(state=PatchState.CANONICAL).exists()
    proposed.refresh_from_db()
    proposed.title = "renamed"  # other fields save as before
    proposed.save()


def test_a_canonical_fix_is_not_taken_back_behind_the_table(proposed, acknowledged, maintainer):
    chosen = patch_choose(actor=maintainer, case=acknowledged, patch_id=proposed.public_id)
    chosen.state = PatchState.PROPOSED
    with pytest.raises(StateWriteOutsideTable):
        chosen.save(update_fields=["state"])
    with pytest.raises(StateWriteOutsideTable):
        PatchProposal.objects.filter(case=acknowledged).update(state=PatchState.PROPOSED)
    assert PatchProposal.objects.get(pk=proposed.pk).state == PatchState.CANONICAL


def test_the_table_itself_may_write_the_state(proposed):
    """The guard is keyed by the machine's name: inside ``transitioning`` the write goes."""
    with transitioning(MACHINE.name):
        PatchProposal.objects.filter(pk=proposed.pk).update(state=PatchState.CANONICAL)
    assert PatchProposal.objects.get(pk=proposed.pk).canonical
