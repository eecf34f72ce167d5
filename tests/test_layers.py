"""The apps stack: an app imports only apps of lower layers, never one beside or above it.

The import graph is read from the source (every non-test, non-migration module, imports inside
functions included, ``if TYPE_CHECKING:`` blocks excluded), so the test fails on the first
import against the order in docs/ARCHITECTURE.md. When a lower layer needs a higher one's
answer, the higher one passes it in: a parameter, or a hook it provides (``core.hooks``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from akrites.core import layering
from akrites.core.layering import RANK, violations

ROOT = layering.PACKAGE


def test_every_app_has_a_layer():
    apps = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert apps <= set(RANK), f"add to core.layering.LAYERS: {sorted(apps - set(RANK))}"


def test_no_app_imports_one_beside_or_above_it():
    found = violations()
    assert not found, "imports against the layer order:\n" + "\n".join(
        f"{a} -> {b}: {', '.join(places)}" for (a, b), places in sorted(found.items())
    )


def test_the_layer_diagram_is_up_to_date():
    path = Path(settings.BASE_DIR) / "docs" / "layers.md"
    assert path.read_text(encoding="utf-8") == layering.markdown(), "run: akrites docs layers"


def test_the_detector_sees_a_lazy_import_against_the_order(tmp_path):
    pkg = tmp_path / "akrites"
    for app, body in (("cases", "def f():\n    from akrites.web import x\n"), ("web", "")):
        (pkg / app).mkdir(parents=True)
        (pkg / app / "mod.py").write_text(body)
    assert set(violations(pkg)) == {("cases", "web")}
