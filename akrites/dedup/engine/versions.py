"""Tolerant version comparison and affected-range overlap.

Advisories state affected versions in several dialects (OSV events, ``<X`` specifiers,
"before 2.2.13" prose). This module compares them without a per-ecosystem parser: it orders
PEP 440-like and SemVer-like strings, and answers "can one version be affected under both
reports?". Versions it cannot parse make the answer *unknown*, never *disjoint*: a missing
signal must not count as evidence against a match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from akrites.dedup.engine.text import normalise_version

# Pre-release tags order below the final release; "post" orders above it.
_TAG_RANK = {
    "dev": -4,
    "a": -3,
    "alpha": -3,
    "b": -2,
    "beta": -2,
    "c": -1,
    "rc": -1,
    "pre": -1,
    "preview": -1,
}
_VERSION = re.compile(
    r"^v?(\d+(?:\.\d+){0,5})(?:[-_.]?(dev|a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?"
    r"(?:[-_.]?(?:post|p)[-_.]?(\d+))?"
)
MAX_RANGES = 64

VersionKey = tuple[tuple[int, ...], int, int, int]
Range = tuple[str | None, str | None, str | None]  # (introduced, fixed, last_affected)


@functools.lru_cache(maxsize=65_536)
def version_key(version: str | None) -> VersionKey | None:
    """A sortable key for ``version`` or ``None`` when it is not recognisably a version."""
    if not version:
        return None
    match = _VERSION.match(version.strip().lower())
    if not match:
        return None
    release = tuple(int(p) for p in match.group(1).split("."))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    tag = _TAG_RANK.get(match.group(2) or "", 0)
    tag_no = int(match.group(3) or 0)
    post = int(match.group(4) or 0)
    return (release, tag, tag_no, post)


_Interval = tuple[VersionKey | None, VersionKey | None, bool]  # low, high, high-inclusive


def _intervals(ranges: Iterable[Range]) -> list[_Interval] | None:
    """Ranges as intervals; ``None`` if any bound is present but unparseable."""
    out: list[_Interval] = []
    for introduced, fixed, last in list(ranges)[:MAX_RANGES]:
        low = None if introduced in (None, "", "0") else version_key(introduced)
        if introduced not in (None, "", "0") and low is None:
            return None
        if fixed:
            high, inclusive = version_key(fixed), False
        elif last:
            high, inclusive = version_key(last), True
        else:
            high, inclusive = None, True
        if (fixed or last) and high is None:
            return None
        out.append((low, high, inclusive))
    return out


def _overlap(a: _Interval, b: _Interval) -> bool:
    low = max((x for x in (a[0], b[0]) if x is not None), default=None)
    for high, inclusive in ((a[1], a[2]), (b[1], b[2])):
        if low is not None and high is not None and (low > high or (low == high and not inclusive)):
            return False
    return True


def ranges_relation(a: Sequence[Range], b: Sequence[Range]) -> str:
    """``"overlap"``, ``"disjoint"`` or ``"unknown"`` for two sets of affected ranges.

    "Disjoint" means no version is affected under both reports, a strong sign of two different
    bugs. A set with only unbounded ranges ("every version") tells nothing, so it is unknown.
    """
    ia, ib = _intervals(a), _intervals(b)
    if not ia or not ib:
        return "unknown"
    if all(x[0] is None and x[1] is None for x in ia) or all(
        x[0] is None and x[1] is None for x in ib
    ):
        return "unknown"
    if any(_overlap(x, y) for x in ia for y in ib):
        return "overlap"
    return "disjoint"


def _line_of(key: VersionKey) -> tuple[int, int]:
    """The release line (major, minor) of a parsed version."""
    major, minor = (key[0] + (0,))[:2]
    return major, minor


def _beyond(point: VersionKey, intervals: list[_Interval]) -> bool:
    """Whether ``point`` is strictly past the end of an interval of its own release line (same
    major and minor version) and inside no interval.

    Strictly: sources often write "<X" for "X and earlier", so a bound equal to the point is
    not a contradiction.
    """
    past = False
    for low, high, _ in intervals:
        if low is not None and point < low:
            continue
        if high is None or point <= high:
            return False
        past = past or _line_of(point) == _line_of(high)
    return past


def contradicts(a: Sequence[Range], b: Sequence[Range]) -> bool:
    """Whether a version one report names as still affected (``last_affected``) is already
    fixed according to the other, in the same release line.

    "Through 2.1.26" against "fixed in 2.1.14": the two reports cannot describe the same bug.
    A last-affected version *below* the other's fix is normal (a report written before the fix
    shipped) and is not a contradiction.
    """
    ia, ib = _intervals(a), _intervals(b)
    if not ia or not ib:
        return False
    for ranges, other in ((a, ib), (b, ia)):
        for _, fixed, last in list(ranges)[:MAX_RANGES]:
            point = version_key(last) if last and not fixed else None
            if point is not None and _beyond(point, other):
                return True
    return False


def release(version: str) -> str:
    """The release a version belongs to: ``20.3.0rc1`` -> ``20.3``, ``2.2.0`` -> ``2.2``.

    Advisories disagree on whether a fix shipped in a release candidate or the final release;
    both name the same release. Unparseable strings are only normalised.
    """
    key = version_key(version)
    if key is None:
        return normalise_version(version)
    return ".".join(str(p) for p in key[0])


def fixed_set(versions: Iterable[str]) -> tuple[str, ...]:
    """Releases of the given versions, de-duplicated and sorted (bounded)."""
    return tuple(sorted({release(v) for v in list(versions)[:MAX_RANGES] if v}))


def _line(version: str) -> tuple[int, int] | None:
    key = version_key(version)
    return None if key is None else _line_of(key)


def _adjacent(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Neighbouring release lines: 2.6 and 2.7, or 0.12 and 1.0 / 4 and 5.1 (a new major)."""
    (lo_major, lo_minor), (hi_major, hi_minor) = sorted((a, b))
    if lo_major == hi_major:
        return hi_minor - lo_minor == 1
    return hi_major - lo_major == 1 and hi_minor <= 1


def fixes_contradict(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two sets of fixed releases cannot name one fix.

    Call it only for sets that share no release. Different fixes in one release line contradict.
    Fixes only in neighbouring lines do not: sources cite a backport ("0.12.3") or only the
    next line ("before 1.0") for the same fix. Unparseable versions never contradict.
    """
    la = {x for x in map(_line, a) if x is not None}
    lb = {x for x in map(_line, b) if x is not None}
    if not la or not lb:
        return False
    if la & lb:
        return True
    return not any(_adjacent(x, y) for x in la for y in lb)
