"""Server-side SVG charts (pygal) for the dashboard, safe under a strict CSP.

Charts are served as their own ``image/svg+xml`` responses and shown with ``<img>``: an SVG
used as an image runs no script and loads nothing, and the page keeps its strict policy.
pygal always emits a ``<script>`` carrying its tooltip configuration; it is removed here, so
the document holds no script even when opened directly (its response also forbids scripts).
"""

from __future__ import annotations

import sys
from typing import Any

import pygal
from pygal.etree import etree
from pygal.style import Style

from akrites.web.metrics import Series

# Importing pygal appends a legacy import hook (for its ``pygal.maps`` plugins, unused here)
# to sys.meta_path; it lacks find_spec, so every later import warns (an error in tests).
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

# The site's palette (akrites.css): text, accent, warning, success — all ≥ 4.5:1 on white.
_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1f24",
    foreground_strong="#1b1f24",
    foreground_subtle="#57606a",
    colors=("#0b5cad", "#9a3412", "#1a7f37"),
    font_family="system-ui, -apple-system, 'Segoe UI', sans-serif",
    title_font_size=18,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
)

_COMMON: dict[str, Any] = {
    "style": _STYLE,
    "js": [],
    "width": 720,
    "height": 320,
    "disable_xml_declaration": True,
    "x_label_rotation": 40,
    "show_minor_x_labels": False,
    "truncate_label": -1,
    "legend_at_bottom": True,
    "print_values": False,
    "no_data_text": "No data yet",
    "margin": 12,
    "max_scale": 6,
}


def _major(labels: list[str]) -> list[str]:
    # About six labelled ticks whatever the span, so rotated dates never overlap.
    step = max(1, len(labels) // 6)
    return labels[::-step][::-1] if labels else []


def _without_scripts(tree: Any) -> bytes:
    for parent in list(tree.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    # pygal's wrapper serialises with lxml or the standard library, whichever it used.
    out: bytes = etree.tostring(tree, encoding="utf-8")
    return out


def render(series: Series, *, kind: str, title: str, y_title: str) -> bytes:
    """The chart as SVG bytes. ``kind`` is ``bar`` or ``line``; ``None`` values leave gaps.

    The SVG carries its title, so a screen reader that opens the image hears what it shows;
    the page also gives the same figures as a table.
    """
    chart_cls = pygal.Bar if kind == "bar" else pygal.Line
    chart = chart_cls(title=title, y_title=y_title, **_COMMON)
    chart.x_labels = series.labels
    chart.x_labels_major = _major(series.labels)
    for name, values in series.values.items():
        chart.add(name, values)
    return _without_scripts(chart.render_tree())
