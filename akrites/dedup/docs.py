"""Building the engine's ``Doc`` from what Akrites holds: parsed reports and OSV advisories.

Pure functions, no database. They never raise on content: a field of the wrong shape is
skipped, so a hostile report or advisory still yields a (possibly empty) ``Doc``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from univers.version_range import VersionRange

from akrites.dedup.engine import Doc, package_key
from akrites.dedup.engine.stacktrace import (
    MAX_FRAMES_SCANNED,
    frames_from_text,
    signature,
)
from akrites.dedup.engine.versions import Range
from akrites.intake.parsers import ParsedReport

MAX_AFFECTED = 64
# univers is untyped; one typed name keeps mypy --strict honest (as in intake.parsers.common).
_vers_from_string: Callable[..., Any] = VersionRange.from_string


def ranges_from_vers(vers: str | None) -> tuple[Range, ...]:
    """``(introduced, fixed, last_affected)`` triples of a canonical ``vers`` range.

    Intake has validated the range (univers, canonical order), so constraints alternate:
    ``>=``/``>`` open an interval, ``<`` closes it with a fixed version, ``<=`` with a last
    affected one, ``=`` is a single version. Anything else yields no range (unknown).
    """
    if not vers:
        return ()
    try:
        constraints = list(_vers_from_string(vers).constraints)[: 2 * MAX_AFFECTED]
    except Exception:  # univers raises several types on bad input; a range is optional
        return ()
    out: list[Range] = []
    start: str | None = None
    for constraint in constraints:
        op, version = constraint.comparator, str(constraint.version)
        if op in {">=", ">"}:
            start = version
        elif op == "<":
            out.append((start, version, None))
            start = None
        elif op == "<=":
            out.append((start, None, version))
            start = None
        elif op == "=":
            out.append((version, None, version))
    if start is not None:
        out.append((start, None, None))
    return tuple(out)


def stack_frames(lines: tuple[str, ...]) -> tuple[str, ...]:
    """Function names, crashing frame first, from the trace lines intake keeps.

    Intake stores raw lines ("#0 0x4f5e2d in parse_header src/hdr.c:120:7"); the engine wants
    function names. Lines no frame pattern recognises are taken as bare names (a finder may
    list just functions). Python tracebacks list the crashing frame last: reversed.
    """
    text = "\n".join(lines[: 4 * MAX_FRAMES_SCANNED])
    frames = frames_from_text(text) or list(lines[:MAX_FRAMES_SCANNED])
    if "Traceback (most recent call last)" in text:
        frames.reverse()
    return tuple(frames[:MAX_FRAMES_SCANNED])


def doc_from_parsed(key: str, parsed: ParsedReport) -> Doc:
    """The engine's view of one parsed report (``key`` is the report's public id)."""
    package = parsed.package
    locations = [
        value
        for loc in parsed.locations
        for value in (loc.file, loc.function)
        if isinstance(value, str) and value
    ]
    frames = stack_frames(parsed.stack_trace)
    # The crashing frames name where the bug is, as a location would: code-name evidence.
    locations += (signature(frames) or "").split("|") if frames else []
    return Doc(
        key=key,
        package=package.purl if package else None,
        title=parsed.title,
        text=parsed.description,
        cwes=tuple(parsed.cwe),
        references=tuple(parsed.references),
        identifiers=tuple(parsed.identifiers),
        fingerprints=tuple(parsed.fingerprints),
        locations=tuple(locations),
        stack_frames=frames,
        affected=ranges_from_vers(package.affected) if package else (),
        fixed_versions=tuple(package.fixed) if package else (),
    )


def _strs(value: Any, limit: int = 64) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value[:limit] if isinstance(v, str) and v]


def _osv_ranges(affected: Mapping[str, Any]) -> tuple[list[Range], list[str]]:
    ranges: list[Range] = []
    fixed: list[str] = []
    for rng in affected.get("ranges") or []:
        if not isinstance(rng, Mapping) or rng.get("type") == "GIT":
            continue  # commit hashes are not versions
        start: str | None = None
        for event in rng.get("events") or []:
            if not isinstance(event, Mapping):
                continue
            if isinstance(event.get("introduced"), str):
                start = None if event["introduced"] == "0" else event["introduced"]
            elif isinstance(event.get("fixed"), str):
                ranges.append((start, event["fixed"], None))
                fixed.append(event["fixed"])
            elif isinstance(event.get("last_affected"), str):
                ranges.append((start, None, event["last_affected"]))
    return ranges[:MAX_AFFECTED], fixed[:MAX_AFFECTED]


def _osv_package(affected: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """``(package, ecosystem)`` as the engine reads them (a purl, or a name and ecosystem)."""
    pkg = affected.get("package")
    if not isinstance(pkg, Mapping):
        return None
    purl, name, eco = pkg.get("purl"), pkg.get("name"), pkg.get("ecosystem")
    if isinstance(purl, str) and purl:
        return purl, None
    if isinstance(name, str) and name:
        return name, eco if isinstance(eco, str) else None
    return None


def docs_from_osv(advisory: Mapping[str, Any]) -> list[Doc]:
    """One ``Doc`` per affected package of an OSV advisory (one package-less ``Doc`` if none).

    Keys: ``adv:<id>`` for a single package, ``adv:<id>/<package key>`` for each of several.
    The advisory id and its aliases are identifiers, so a report naming any of them matches
    exactly. The caller has checked ``id`` is a non-empty string.
    """
    osv_id = str(advisory["id"])
    refs = [
        str(r["url"])
        for r in (advisory.get("references") or [])[:64]
        if isinstance(r, Mapping) and isinstance(r.get("url"), str)
    ]
    extra = advisory.get("database_specific")
    cwes = _strs(extra.get("cwe_ids")) if isinstance(extra, Mapping) else []
    common: dict[str, Any] = {
        "title": str(advisory.get("summary") or "")[:1000],
        "text": str(advisory.get("details") or ""),
        "identifiers": (osv_id, *_strs(advisory.get("aliases"))),
        "references": tuple(refs),
        "cwes": tuple(cwes),
        "published": advisory.get("published")
        if isinstance(advisory.get("published"), str)
        else None,
    }
    # Grouped by package key: an advisory lists a package once per range set.
    per_package: dict[str | None, tuple[tuple[str, str | None] | None, list[Range], list[str]]]
    per_package = {}
    for affected in (advisory.get("affected") or [])[:MAX_AFFECTED]:
        if not isinstance(affected, Mapping):
            continue
        pkg = _osv_package(affected)
        ranges, fixed = _osv_ranges(affected)
        have = per_package.setdefault(package_key(*pkg) if pkg else None, (pkg, [], []))
        have[1].extend(ranges)
        have[2].extend(fixed)
    if not per_package:
        per_package[None] = (None, [], [])
    several = len(per_package) > 1
    return [
        Doc(
            key=f"adv:{osv_id}/{key}" if several and key else f"adv:{osv_id}",
            package=pkg[0] if pkg else None,
            ecosystem=pkg[1] if pkg else None,
            affected=tuple(ranges[:MAX_AFFECTED]),
            fixed_versions=tuple(dict.fromkeys(fixed))[:MAX_AFFECTED],
            **common,
        )
        for key, (pkg, ranges, fixed) in per_package.items()
    ]
