"""The advisory draft as an HTML form: stored content ↔ form values ↔ the service's changes.

Pure functions, no database. The form edits every top-level field of the content except the
git commit ranges, which are kept for a package whose purl is unchanged (they are drafted
through the API, where a full commit hash is pasted, not typed). ``field_for`` turns the
path an ``InvalidInput`` names (``affected[1].vers``, ``cwes[0]``) into the id of the form
field the message belongs next to.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import QueryDict

from akrites.disclosure.content import MAX_AFFECTED

# Top-level fields with one form control each; a list field holds one item per line.
TEXT_FIELDS = ("summary", "details", "cvss", "cwes", "references", "credits", "aliases")
_LINES = ("cvss", "cwes", "references", "credits", "aliases")
_AFFECTED = re.compile(r"^affected\[(\d+)\](?:\.(purl|vers|fixed))?")
_SPLIT = re.compile(r"[\s,]+")


def values_from_content(content: dict[str, Any]) -> dict[str, Any]:
    """The form's values for stored content (``Advisory.content`` as a dict)."""
    values: dict[str, Any] = {
        "summary": content.get("summary") or "",
        "details": content.get("details") or "",
        "credits": "\n".join(c.get("name", "") for c in content.get("credits") or []),
    }
    for name in ("cvss", "references"):
        values[name] = "\n".join(content.get(name) or [])
    for name in ("cwes", "aliases"):
        values[name] = _join(content.get(name))
    values["affected"] = [
        {"purl": a.get("purl") or "", "vers": a.get("vers") or "", "fixed": _join(a.get("fixed"))}
        for a in content.get("affected") or []
    ]
    return values


def values_from_post(post: QueryDict) -> dict[str, Any]:
    """The form's values as sent (re-shown as typed when something is invalid)."""
    values: dict[str, Any] = {name: post.get(name, "") for name in TEXT_FIELDS}
    rows = []
    for i in range(MAX_AFFECTED + 1):
        if f"affected-{i}-purl" not in post:
            break
        row = {k: post.get(f"affected-{i}-{k}", "").strip() for k in ("purl", "vers", "fixed")}
        if any(row.values()):  # the blank row offered to add a package, left blank
            rows.append(row)
    values["affected"] = rows
    return values


def with_blank_row(values: dict[str, Any]) -> dict[str, Any]:
    """The values with one empty package row to add another (up to the content's limit)."""
    rows = list(values["affected"])
    if len(rows) < MAX_AFFECTED:
        rows.append({"purl": "", "vers": "", "fixed": ""})
    return {**values, "affected": rows}


def rows_for_display(values: dict[str, Any], error: tuple[str, str] | None) -> list[dict[str, str]]:
    """The package rows with their index and the message for each field, if any."""
    rows = []
    for i, row in enumerate(values["affected"]):
        shown = {**row, "n": str(i)}
        for part in ("purl", "vers", "fixed"):
            shown[f"err_{part}"] = error[1] if error and error[0] == f"affected-{i}-{part}" else ""
        rows.append(shown)
    return rows


def changes_from_values(values: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The ``advisory_update`` changes for these form values (rows as ``values_from_post``
    keeps them: empty ones dropped, so the service's ``affected[i]`` is row ``i``). Git
    ranges and credit types are kept from ``current`` where the purl / name still match."""
    git = {a.get("purl"): a.get("git") or [] for a in current.get("affected") or []}
    types = {c.get("name"): c.get("type") or "FINDER" for c in current.get("credits") or []}
    changes: dict[str, Any] = {"summary": values["summary"], "details": values["details"]}
    for name in _LINES:
        changes[name] = _items(values[name], lines=name in ("cvss", "references", "credits"))
    changes["credits"] = [{"name": n, "type": types.get(n, "FINDER")} for n in changes["credits"]]
    changes["affected"] = [
        {
            "purl": row["purl"],
            "vers": row["vers"] or None,
            "fixed": _items(row["fixed"], lines=False),
            "git": git.get(row["purl"], []),
        }
        for row in values["affected"]
    ]
    return changes


def field_for(path: str, values: dict[str, Any]) -> str:
    """The form field id (without prefix) an ``InvalidInput`` path belongs to; a message
    about the packages as a whole goes next to the first one's range."""
    match = _AFFECTED.match(path)
    if match:
        index = int(match.group(1))
        row = index if index < len(values["affected"]) else 0
        return f"affected-{row}-{match.group(2) or 'purl'}"
    base = re.split(r"[\[.]", path, maxsplit=1)[0]
    if base == "affected":
        return "affected-0-vers"
    return base if base in TEXT_FIELDS else "summary"


def _items(text: str, *, lines: bool) -> list[str]:
    parts = text.splitlines() if lines else _SPLIT.split(text)
    return [p.strip() for p in parts if p.strip()]


def _join(values: Any) -> str:
    return ", ".join(str(v) for v in values or [])
