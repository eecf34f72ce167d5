"""Package URLs ↔ OSV ecosystems, ``vers`` → OSV range events, and version matching.

univers' OSV converters are empty stubs, so the conversion is ours. It is the inverse of
``intake.parsers.osv._to_constraints``: each interval of a canonical ``vers`` (univers sorts
and merges them) becomes ``introduced``/``fixed`` or ``introduced``/``last_affected`` events,
``=`` constraints become enumerated ``versions``. A ``vers`` with ``>`` or ``!=`` has no OSV
form and is refused when the advisory is edited or rendered, not silently approximated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from packageurl import PackageURL
from univers.version_range import VersionRange

from akrites.core.errors import InvalidInput
from akrites.intake.parsers.osv import ECOSYSTEM_PURL

# univers is untyped; one typed name keeps mypy --strict honest.
_range_from_string: Callable[..., Any] = VersionRange.from_string

# purl type (and namespace, for distributions) → OSV ecosystem: the inverse of intake's table.
_BY_TYPE: dict[str, str] = {t: eco for eco, (t, ns) in ECOSYSTEM_PURL.items() if ns is None}
_BY_TYPE_NS: dict[tuple[str, str], str] = {
    (t, ns): eco for eco, (t, ns) in ECOSYSTEM_PURL.items() if ns is not None
}
_PATH_NAMED = frozenset({"golang", "swift", "composer", "npm"})
# OSV's Go advisories use SEMVER ranges; every other ecosystem here orders versions its own way.
_SEMVER_TYPES = frozenset({"golang"})


@dataclass(frozen=True)
class OsvPackage:
    ecosystem: str
    name: str
    purl: str


def osv_package(purl: str) -> OsvPackage:
    """The OSV ``package`` of a canonical purl. Raises InvalidInput for a purl type OSV has
    no ecosystem for."""
    parsed = PackageURL.from_string(purl)
    eco = _BY_TYPE_NS.get((parsed.type, parsed.namespace or "")) or _BY_TYPE.get(parsed.type)
    if eco is None:
        raise InvalidInput("affected.purl", "has no OSV ecosystem")
    if parsed.type == "maven":
        name = f"{parsed.namespace}:{parsed.name}"
    elif parsed.type in _PATH_NAMED and parsed.namespace:
        name = f"{parsed.namespace}/{parsed.name}"
    else:
        name = parsed.name
    return OsvPackage(ecosystem=eco, name=name, purl=purl)


def purl_for(ecosystem: str, name: str) -> str | None:
    """The canonical purl (no version) of an OSV package, or None for an unknown ecosystem."""
    entry = ECOSYSTEM_PURL.get(ecosystem.split(":", 1)[0])
    if entry is None:
        return None
    ptype, namespace = entry
    if ptype == "maven":
        namespace, _, name = name.partition(":")
    elif ptype in _PATH_NAMED and "/" in name:
        namespace, name = name.rsplit("/", 1)
    try:
        return str(PackageURL(type=ptype, namespace=namespace, name=name).to_string())
    except ValueError:
        return None


@dataclass(frozen=True)
class OsvRanges:
    ranges: list[dict[str, Any]]
    versions: list[str]


def vers_to_osv(vers: str, *, purl_type: str) -> OsvRanges:
    """Convert a canonical ``vers`` into OSV ranges and enumerated versions.

    One range per interval when bounds mix ``fixed`` and ``last_affected`` (OSV forbids both
    in one range), else a single range holding every interval in order.
    """
    constraints = [
        (c.comparator, None if c.version is None else str(c.version))
        for c in _range_from_string(vers).constraints
    ]
    kind = "SEMVER" if purl_type in _SEMVER_TYPES else "ECOSYSTEM"
    intervals: list[list[dict[str, str]]] = []
    versions: list[str] = []
    lower: str | None = None
    for comparator, version in constraints:
        if comparator == "*":
            intervals.append([{"introduced": "0"}])
        elif comparator == "=" and version is not None:
            versions.append(version)
        elif comparator == ">=" and version is not None:
            lower = version
        elif comparator in ("<", "<=") and version is not None:
            upper = "fixed" if comparator == "<" else "last_affected"
            intervals.append([{"introduced": lower or "0"}, {upper: version}])
            lower = None
        else:
            raise InvalidInput("affected.vers", f"'{comparator}' has no OSV equivalent")
    if lower is not None:
        intervals.append([{"introduced": lower}])
    uppers = {next(iter(e)) for interval in intervals for e in interval[1:]}
    if len(uppers) > 1:
        ranges = [{"type": kind, "events": events} for events in intervals]
    elif intervals:
        ranges = [{"type": kind, "events": [e for events in intervals for e in events]}]
    else:
        ranges = []
    return OsvRanges(ranges=ranges, versions=versions)


def version_affected(vers: str, version: str) -> bool:
    """True if ``version`` lies in ``vers``. Raises InvalidInput when ``version`` is not a
    valid version of the range's scheme."""
    parsed = _range_from_string(vers)
    try:
        candidate = parsed.version_class(version)
    except Exception:  # univers raises InvalidVersion, ValueError, TypeError on bad input
        raise InvalidInput("version", "is not a valid version for this ecosystem") from None
    return bool(candidate in parsed)


def check_version_for(vers_scheme: str, version: str) -> None:
    """Raise InvalidInput when ``version`` is not valid in ``vers_scheme`` (e.g. ``pypi``)."""
    version_affected(f"vers:{vers_scheme}/*", version)
