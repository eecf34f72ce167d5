"""Importing registry rows in bulk (``akrites import-projects FILE``).

Each row is parsed and stored on its own (``registry.project_register`` is one transaction),
so a bad row is reported with its field errors and stores nothing, while every good row is
imported. Row numbers count from 1 (for CSV, the first line after the header).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from akrites.access.policy import require
from akrites.core.actors import Actor
from akrites.core.errors import InvalidInput
from akrites.projects.registry import InvalidRow, project_register, registry_row_parse

MAX_IMPORT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    row: int
    slug: str
    field: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def failed_rows(self) -> int:
        return len({e.row for e in self.errors})


def read_rows(path: Path) -> list[Mapping[str, object]]:
    """Rows of a CSV (header line; lists space/semicolon-separated) or JSON file (an array
    of objects, or ``{"projects": [...]}``). ``security_txt_path`` / ``security_md_path``
    name files relative to the import file. Raises InvalidInput(``file``)."""
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise InvalidInput("file", "larger than 50 MiB")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("file", "not UTF-8") from None
    rows = _json_rows(text) if path.suffix.lower() == ".json" else _csv_rows(text)
    return [_with_files(row, path.parent) for row in rows]


def _json_rows(text: str) -> list[Mapping[str, object]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput("file", f"not JSON (line {exc.lineno})") from None
    if isinstance(doc, dict):
        doc = doc.get("projects")
    if not isinstance(doc, list):
        raise InvalidInput("file", 'expected an array of objects or {"projects": [...]}')
    return [row if isinstance(row, dict) else {"__invalid__": True} for row in doc]


def _csv_rows(text: str) -> list[Mapping[str, object]]:
    reader = csv.DictReader(io.StringIO(text))
    names = reader.fieldnames or []
    if "slug" not in names and "name" not in names:
        raise InvalidInput("file", "a CSV file needs a header line with slug or name")
    return [{k: v for k, v in row.items() if k is not None} for row in reader]


def _with_files(row: Mapping[str, object], base: Path) -> Mapping[str, object]:
    out = dict(row)
    for key in ("security_txt", "security_md"):
        name = str(out.pop(f"{key}_path", "") or "").strip()
        if not name:
            continue
        target = (base / name).resolve()
        # Only files next to (or below) the import file: a row cannot read /etc/shadow.
        if base.resolve() not in target.parents or not target.is_file():
            out["__file_error__"] = f"{key}_path"
            continue
        out[key] = target.read_bytes()[: 64 * 1024 + 1]
    return out


def projects_import(
    *,
    actor: Actor,
    rows: list[Mapping[str, object]],
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import ``rows``; returns counts and every row's field errors (nothing is dropped
    silently: each row is either stored whole or reported)."""
    require(actor, "registry.edit")
    result = ImportResult()
    for number, raw in enumerate(rows, start=1):
        for err in _import_one(actor, raw, result):
            result.errors.append(RowError(number, str(raw.get("slug", "") or ""), *err))
        if progress is not None:
            progress(number, len(rows))
    return result


def _import_one(
    actor: Actor, raw: Mapping[str, object], result: ImportResult
) -> Iterator[tuple[str, str]]:
    if raw.get("__invalid__"):
        yield ("row", "not an object")
        return
    if raw.get("__file_error__"):
        yield (str(raw["__file_error__"]), "no such file next to the import file")
        return
    try:
        _, created = project_register(actor=actor, row=registry_row_parse(raw))
    except InvalidRow as exc:
        yield from exc.problems
        return
    except InvalidInput as exc:
        yield (exc.field, exc.message)
        return
    if created:
        result.created += 1
    else:
        result.updated += 1
