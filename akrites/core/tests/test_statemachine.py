"""Transition tables (core.statemachine) and their database guard (core.stateguard)."""

import pytest
from django.core.management import call_command

from akrites.core.errors import Conflict, InvalidInput
from akrites.core.statemachine import Machine, Transition

DOOR = Machine(
    name="door",
    title="Door lifecycle",
    table="x.py",
    doc="door.md",
    initial="closed",
    transitions=(
        Transition("open", frozenset({"closed"}), "open", "door.use", "swing it"),
        Transition("lock", frozenset({"closed"}), "locked", "door.lock", "turn", True),
    ),
    finals=frozenset({"locked"}),
)


def test_step_allows_only_what_the_table_says():
    assert DOOR.step("open", "closed").target == "open"
    with pytest.raises(Conflict, match="cannot open a door that is locked"):
        DOOR.step("open", "locked")
    with pytest.raises(InvalidInput):
        DOOR.step("kick", "closed")
    assert DOOR.states == {"closed", "open", "locked"}


def test_repeated_names_are_refused():
    t = DOOR.transitions[0]
    with pytest.raises(ValueError, match="repeat"):
        Machine("d", "D", "x", "d.md", "closed", (t, t))


def test_the_document_has_the_diagram_and_the_table():
    text = DOOR.markdown()
    assert "closed --> open: open" in text and "locked --> [*]" in text
    assert "| `lock` | `closed` | `locked` | `door.lock` | yes | turn |" in text


@pytest.mark.django_db
def test_every_generated_state_document_is_up_to_date():
    call_command("state_doc", check=True)
