"""The advisory transition table: the doc is generated from it, its actions are policy
actions, and the one transition function refuses what it does not allow."""

from pathlib import Path

import pytest
from django.conf import settings

from akrites.access.policy import ACTIONS, STEP_UP_ACTIONS
from akrites.audit.models import AuditEntry
from akrites.core.errors import Conflict
from akrites.disclosure.lifecycle import TRANSITIONS, markdown_document
from akrites.disclosure.models import AdvisoryEvent, AdvisoryState
from akrites.disclosure.services.transitions import advisory_transition


def test_the_advisory_lifecycle_doc_is_generated_from_the_table():
    path = Path(settings.BASE_DIR) / "docs" / "advisory-lifecycle.md"
    assert path.read_text(encoding="utf-8") == markdown_document(), (
        "docs/advisory-lifecycle.md is stale: run `akrites docs advisory`"
    )


def test_every_transition_is_guarded_by_a_policy_action():
    assert {t.action for t in TRANSITIONS} <= ACTIONS
    fresh_code = {"approve", "revise", "withdraw"}
    for t in TRANSITIONS:
        assert (t.action in STEP_UP_ACTIONS) == (t.name in fresh_code or t.name == "publish")
        assert {*t.sources, t.target} <= set(AdvisoryState.values)


def test_every_state_is_reachable_and_withdrawn_is_final():
    reached = {AdvisoryState.DRAFT} | {t.target for t in TRANSITIONS}
    assert reached == set(AdvisoryState.values)
    assert not [t for t in TRANSITIONS if AdvisoryState.WITHDRAWN in t.sources]


@pytest.mark.parametrize("name", ["publish", "withdraw_approval", "revise", "withdraw"])
def test_a_transition_the_table_does_not_allow_changes_nothing(draft, system, name):
    with pytest.raises(Conflict):
        advisory_transition(actor=system, advisory=draft, name=name, reason="r")
    draft.refresh_from_db()
    assert draft.state == "draft"
    assert not AdvisoryEvent.objects.exists()
    assert not AuditEntry.objects.filter(action=f"advisory.{name}").exists()


def test_akrites_docs_advisory_checks_the_file():
    from akrites_cli.main import main

    assert main(["docs", "advisory", "--check"]) == 0


def test_a_state_written_behind_the_table_is_refused(draft):
    """core.stateguard: only ``advisory_transition`` / ``advisory_claim`` write the state, so
    the suite proves no service publishes (or un-publishes) behind the table."""
    from akrites.core.stateguard import StateWriteOutsideTable
    from akrites.disclosure.models import Advisory

    draft.state = AdvisoryState.PUBLISHED
    with pytest.raises(StateWriteOutsideTable):
        draft.save()
    with pytest.raises(StateWriteOutsideTable):
        Advisory.objects.filter(pk=draft.pk).update(state=AdvisoryState.APPROVED)
    with pytest.raises(StateWriteOutsideTable):
        Advisory.objects.create(case=draft.case, content="{}", state=AdvisoryState.PUBLISHED)
    assert Advisory.objects.get(pk=draft.pk).state == AdvisoryState.DRAFT
