"""The layer order of the apps, and the import graph read from the source.

Bottom first; an app imports only apps of lower layers (``tests/test_layers.py`` fails on any
import against the order, lazy imports included). When a lower layer needs a higher one's
answer, the higher one passes it in: a parameter, or a hook it provides (``core.hooks``).
``akrites docs layers`` writes the diagram (docs/layers.md) from this table and the graph.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
PROJECT_MODULES = frozenset({"settings", "urls", "wsgi", "asgi"})

# Bottom first. Apps in one layer are independent of each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),  # errors, env, clock, crypto, hooks, transition tables: imports no app
    ("access",),  # the policy: roles and rules, told the facts by the layers above
    ("audit",),
    ("orgs",),
    ("accounts",),
    ("projects",),
    ("cases",),  # lifecycle, triage, parties
    ("conversation",),  # case messages and their audiences
    ("intake",),
    ("dedup",),
    ("confidentiality",),  # embargo, pre-notification, SBOM matching, embargoed reads
    ("remediation", "disclosure"),
    ("notifications",),
    ("demo", "web", "exports", "mail"),  # faces (and the command line, outside this package)
    ("api",),  # the NinjaAPI instance mounts every app's router
)
RANK = {app: i for i, layer in enumerate(LAYERS) for app in layer}


class _Imports(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[str, int]] = []

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
        if name == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found += [(alias.name, node.lineno) for alias in node.names]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and node.level == 0:
            self.found.append((node.module, node.lineno))


def import_graph(root: Path = PACKAGE) -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) → the places, for every import between two apps of the
    non-test, non-migration code under ``root``."""
    graph: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if "tests" in rel.parts or "migrations" in rel.parts or len(rel.parts) < 2:
            continue
        visitor = _Imports()
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        for module, line in visitor.found:
            parts = module.split(".")
            if parts[0] != root.name or len(parts) < 2 or parts[1] in PROJECT_MODULES:
                continue
            if parts[1] != rel.parts[0]:
                graph[(rel.parts[0], parts[1])].append(f"{root.name}/{rel.as_posix()}:{line}")
    return graph


def violations(root: Path = PACKAGE) -> dict[tuple[str, str], list[str]]:
    """The imports of an app beside or above it (an app missing from ``LAYERS`` is below
    nothing, so every import of it counts)."""
    return {
        edge: places
        for edge, places in import_graph(root).items()
        if RANK.get(edge[0], -1) <= RANK.get(edge[1], -1)
    }


def markdown() -> str:
    """docs/layers.md: the layers and the app graph as a Mermaid diagram."""
    graph = import_graph()
    lines = ["flowchart BT"]
    for i, layer in enumerate(LAYERS):
        lines.append(f'    subgraph L{i}["layer {i}"]')
        lines += [f"        {app}" for app in layer]
        lines.append("    end")
    lines += [f"    {a} --> {b}" for a, b in sorted(graph)]
    rows = "\n".join(
        f"| {i} | {', '.join(f'`{a}`' for a in layer)} |" for i, layer in enumerate(LAYERS)
    )
    return (
        "# Layers\n\n"
        "Generated from `akrites/core/layering.py` and the import graph of the code by "
        "`akrites docs layers`; `tests/test_layers.py` fails on any import against the order "
        "and when this file is stale.\n\n"
        "An app imports only apps of lower layers (an arrow points at what is imported). A "
        "lower layer that needs a higher one's answer declares a hook (`core.hooks`) that the "
        "higher app provides.\n\n"
        f"| layer | apps |\n|---|---|\n{rows}\n\n"
        f"```mermaid\n" + "\n".join(lines) + "\n```\n"
    )
