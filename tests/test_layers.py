"""The apps stack: an app imports only apps of lower layers, never one beside or above it.

The import graph is read from the source (every non-test, non-migration module, imports inside
functions included, ``if TYPE_CHECKING:`` blocks excluded), so the test fails on the first
import against the order in docs/ARCHITECTURE.md. When a lower layer needs a higher one's
answer, the higher one passes it in: a parameter, or a hook it provides (``core.hooks``).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "akrites"
PROJECT_MODULES = {"settings", "urls", "wsgi", "asgi"}

# Bottom first. Apps in one layer are independent of each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("access",),  # the policy: roles and rules, told the facts by the layers above
    ("audit",),
    ("orgs",),
    ("accounts",),
    ("projects",),
    ("cases",),  # lifecycle, triage
    ("intake",),
    ("dedup",),
    ("confidentiality",),  # embargo, pre-notification, SBOM matching, case export
    ("remediation", "disclosure"),
    ("notifications",),
    ("demo", "web", "exports"),  # faces (and the command line, outside this package)
    ("api",),  # the NinjaAPI instance mounts every app's router
)
RANK = {app: i for i, layer in enumerate(LAYERS) for app in layer}

# Imports against the order that are still being removed (issue 18); each must disappear,
# and the test fails when one does so the list cannot go stale. Nothing may be added.
KNOWN: dict[tuple[str, str], int] = {}


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


def import_graph() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) → the places, for every import between two apps."""
    graph: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "tests" in rel.parts or "migrations" in rel.parts or len(rel.parts) < 2:
            continue
        visitor = _Imports()
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        for module, line in visitor.found:
            parts = module.split(".")
            if parts[0] != "akrites" or len(parts) < 2 or parts[1] in PROJECT_MODULES:
                continue
            if parts[1] != rel.parts[0]:
                graph[(rel.parts[0], parts[1])].append(f"akrites/{rel.as_posix()}:{line}")
    return graph


def violations() -> dict[tuple[str, str], list[str]]:
    return {
        edge: places
        for edge, places in import_graph().items()
        if RANK.get(edge[0], -1) <= RANK.get(edge[1], -1)
    }


def test_every_app_has_a_layer():
    apps = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists()}
    assert apps <= set(RANK), f"add to LAYERS: {sorted(apps - set(RANK))}"


def test_no_app_imports_one_beside_or_above_it():
    found = violations()
    new = {edge: places for edge, places in found.items() if edge not in KNOWN}
    assert not new, "imports against the layer order:\n" + "\n".join(
        f"{a} -> {b}: {', '.join(places)}" for (a, b), places in sorted(new.items())
    )
    grown = {e: len(found[e]) for e in KNOWN if e in found and len(found[e]) > KNOWN[e]}
    assert not grown, f"known violations grew: {grown}"
    gone = sorted(e for e in KNOWN if e not in found)
    assert not gone, f"these are fixed: remove them from KNOWN: {gone}"


def test_the_detector_sees_a_lazy_import_against_the_order(tmp_path, monkeypatch):
    pkg = tmp_path / "akrites"
    for app, body in (("cases", "def f():\n    from akrites.web import x\n"), ("web", "")):
        (pkg / app).mkdir(parents=True)
        (pkg / app / "apps.py").write_text("")
        (pkg / app / "mod.py").write_text(body)
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", pkg)
    assert set(violations()) == {("cases", "web")}
