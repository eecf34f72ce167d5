"""Reading OSV advisories from a file, a directory tree or OSV's bulk-export zip.

Yields one ``(name, advisory | error)`` per source file so a caller can count and report bad
files while still importing the good ones. Errors name the problem, never the content.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 16 * 1024 * 1024  # an OSV record is a few kB; bounds memory on hostile input

Item = tuple[str, list[dict[str, Any]] | str]


def count(path: Path) -> int:
    """How many source files ``read`` will yield (for the progress bar)."""
    if path.is_dir():
        return sum(1 for _ in _json_files(path))
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return sum(1 for info in archive.infolist() if _is_json(info.filename))
    return 1


def _is_json(name: str) -> bool:
    return name.lower().endswith(".json") and not name.endswith("/")


def _json_files(root: Path) -> Iterator[Path]:
    return (p for p in sorted(root.rglob("*.json")) if p.is_file())


def _decode(raw: bytes) -> list[dict[str, Any]] | str:
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        return "not valid JSON"
    docs = doc if isinstance(doc, list) else [doc]
    if not docs or not all(isinstance(d, dict) for d in docs):
        return "not an OSV object"
    return docs


def read(path: Path) -> Iterator[Item]:
    """Every advisory file under ``path``: a ``.json`` file, a directory, or a zip archive."""
    if path.is_dir():
        for file in _json_files(path):
            yield str(file.relative_to(path)), _read_file(file)
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not _is_json(info.filename):
                    continue
                if info.file_size > MAX_FILE_BYTES:
                    yield info.filename, "larger than the per-file limit"
                    continue
                try:
                    raw = archive.read(info)
                except (zipfile.BadZipFile, OSError, ValueError):
                    yield info.filename, "unreadable archive member"
                    continue
                yield info.filename, _decode(raw)
    else:
        yield path.name, _read_file(path)


def _read_file(file: Path) -> list[dict[str, Any]] | str:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            return "larger than the per-file limit"
        return _decode(file.read_bytes())
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
