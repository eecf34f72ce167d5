"""Transition tables for stateful objects, and the documents generated from them.

Each stateful object (a case, an embargo, an advisory, a patch proposal, a delivery) has one
state field and one ``Machine``: the transitions allowed, each with a name, the states it may
start from, the state it leads to, the policy action that guards it and whether a reason is
required. The object's services change its state only through ``Machine.step``, which refuses
what the table does not allow; the document ``docs/<doc>`` is generated from the table by
``akrites docs <name>`` (``core.management.commands.state_doc``), and a test fails when the
file and the table differ.

Apps declare their machines in ``<app>/lifecycle.py`` (a module-level ``MACHINE``, or
``MACHINES`` for several), which the doc command finds by importing it; core imports no app.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from akrites.core.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    action: str  # the policy action that guards it (``access.policy``)
    description: str
    needs_reason: bool = False
    # Optional columns: the timeline visibility of a case transition; the service that runs it.
    visibility: str = ""
    service: str = ""


@dataclass(frozen=True)
class Machine:
    """One object's transition table."""

    name: str  # ``akrites docs <name>``
    title: str  # "Case lifecycle"
    table: str  # where the table lives, for the document ("akrites/cases/lifecycle.py")
    doc: str  # the generated file under docs/
    initial: str
    transitions: tuple[Transition, ...]
    finals: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()  # bullet points after the table
    by_name: dict[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [t.name for t in self.transitions]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: transition names repeat")
        object.__setattr__(self, "by_name", {t.name: t for t in self.transitions})

    @property
    def states(self) -> frozenset[str]:
        found = {self.initial, *self.finals}
        for t in self.transitions:
            found |= t.sources | {t.target}
        return frozenset(found)

    def get(self, name: str) -> Transition:
        """The transition ``name``; InvalidInput for a name the table does not have."""
        transition = self.by_name.get(name)
        if transition is None:
            raise InvalidInput("transition", "unknown transition")
        return transition

    def step(self, name: str, current: str, *, what: str = "") -> Transition:
        """The transition ``name`` if the table allows it from ``current``, else Conflict
        ("cannot <name> <what> that is <current>"; ``what`` defaults to "a <object>")."""
        transition = self.get(name)
        if current not in transition.sources:
            what = what or f"a {self.title.split()[0].lower()}"
            raise Conflict(f"cannot {name.replace('_', ' ')} {what} that is {current}")
        return transition

    def allowed_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def mermaid(self) -> str:
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for t in self.transitions:
            for source in sorted(t.sources):
                lines.append(f"    {source} --> {t.target}: {t.name}")
        lines += [f"    {final} --> [*]" for final in sorted(self.finals)]
        return "\n".join(lines)

    def markdown(self) -> str:
        columns = [("transition", lambda t: f"`{t.name}`")]
        columns.append(("from", lambda t: ", ".join(f"`{s}`" for s in sorted(t.sources))))
        columns += [("to", lambda t: f"`{t.target}`"), ("permission", lambda t: f"`{t.action}`")]
        if any(t.visibility for t in self.transitions):
            columns.append(("timeline visibility", lambda t: t.visibility))
        if any(t.service for t in self.transitions):
            columns.append(("service", lambda t: f"`{t.service}`"))
        columns.append(("reason required", lambda t: "yes" if t.needs_reason else "no"))
        columns.append(("meaning", lambda t: t.description))
        header = "| " + " | ".join(c[0] for c in columns) + " |"
        rule = "|" + "---|" * len(columns)
        rows = ["| " + " | ".join(c[1](t) for c in columns) + " |" for t in self.transitions]
        notes = "".join(f"- {note}\n" for note in self.notes)
        return (
            f"# {self.title}\n\n"
            f"Generated from `{self.table}` by `akrites docs {self.name}`; "
            "a test fails when this file and the table differ.\n\n"
            f"```mermaid\n{self.mermaid()}\n```\n\n"
            f"{header}\n{rule}\n" + "\n".join(rows) + "\n" + (f"\n{notes}" if notes else "")
        )


def machines(apps: Iterable[str]) -> Iterator[Machine]:
    """The machines declared by ``<app>.lifecycle`` modules of the given app packages."""
    for app in apps:
        module_name = f"{app}.lifecycle"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        declared = getattr(module, "MACHINES", ()) or (getattr(module, "MACHINE", None),)
        yield from (m for m in declared if isinstance(m, Machine))
