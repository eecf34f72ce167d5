"""``Doc``: a vulnerability report as the dedup engine sees it.

The engine never sees database rows or request objects: callers (the intake service, the
benchmark) build a ``Doc`` from whatever they hold. Every field is optional in spirit — empty
tuples and ``None`` are normal — and the engine must decide on any ``Doc`` without raising.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from akrites.dedup.engine.versions import Range


@dataclass(frozen=True, slots=True)
class Doc:
    """One report. ``key`` is opaque; ``package`` is ``eco/name``, a bare name or a purl.

    ``identifiers`` are advisory ids given in structured fields (ids found in the text are
    extracted again by the engine). ``fingerprints`` are scanner fingerprints (SARIF
    ``partialFingerprints``, already rendered as ``"name:value"`` strings). ``locations`` are
    file paths or function names the finder named. ``affected`` holds
    ``(introduced, fixed, last_affected)`` triples.
    """

    key: str
    package: str | None = None
    ecosystem: str | None = None
    title: str = ""
    text: str = ""
    cwes: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    fingerprints: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    stack_frames: tuple[str, ...] = ()
    affected: tuple[Range, ...] = ()
    fixed_versions: tuple[str, ...] = field(default=())
    published: str | None = None


def _strs(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        return ()
    return tuple(str(v) for v in values if isinstance(v, str | int | float) and str(v))


def doc_from_dev_record(rec: Mapping[str, Any]) -> Doc:
    """Build a ``Doc`` from one line of the dedup benchmark's ``*_records.jsonl``.

    Only detector-visible fields are read (``role``, ``source`` and ``seq`` are not).
    """
    affected: list[Range] = []
    for item in rec.get("affected") or []:
        if isinstance(item, Mapping):
            affected.append((item.get("introduced"), item.get("fixed"), item.get("last_affected")))
    references = tuple(
        str(ref["url"])
        for ref in rec.get("references") or []
        if isinstance(ref, Mapping) and ref.get("url")
    )
    return Doc(
        key=str(rec["id"]),
        package=rec.get("package"),
        ecosystem=rec.get("ecosystem"),
        title=str(rec.get("summary") or ""),
        text=str(rec.get("details") or ""),
        cwes=_strs(rec.get("cwe")),
        references=references,
        fixed_versions=_strs(rec.get("fixed_versions")),
        affected=tuple(affected),
        published=rec.get("published"),
    )
