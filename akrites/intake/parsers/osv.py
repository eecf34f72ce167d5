"""OSV documents (https://ossf.github.io/osv-schema/) → one ``ParsedReport``.

The first ``affected`` entry with a package is the report's package; the others are kept in
``extra["other_packages"]``. ECOSYSTEM and SEMVER ranges become a ``vers`` string (univers'
OSV converters are stubs, so the conversion is ours); GIT ranges stay commits, in
``extra["git_ranges"]``. Every field we read is validated; fields we do not read are ignored,
as OSV's own schema allows extension through ``database_specific``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import cast

from cvss import CVSS3
from packageurl import PackageURL

from akrites.core.errors import InvalidInput, TooLarge

from . import jsonutil as j
from .akrites_json import parse_credit
from .common import (
    MAX_CREDITS,
    MAX_DESCRIPTION_CHARS,
    MAX_FIXED,
    MAX_IDENTIFIERS,
    MAX_REFERENCES,
    VERS_SCHEMES,
    build_vers,
    check_version,
    derive_title,
    identifier_or_none,
    normalise_cvss,
    normalise_cwe,
    normalise_identifier,
    normalise_url,
    purl_from_string,
    unique,
)
from .model import JSONValue, PackageRef, ParsedReport

MAX_AFFECTED = 1_000
MAX_RANGES = 50
MAX_EVENTS = 200
MAX_ENUMERATED_VERSIONS = 200

# OSV ecosystem → (purl type, purl namespace). Names with a path ("vendor/pkg",
# "github.com/a/b", "@scope/pkg") are split at the last "/" into namespace and name; Maven's
# "group:artifact" at the colon.
ECOSYSTEM_PURL: dict[str, tuple[str, str | None]] = {
    "PyPI": ("pypi", None),
    "npm": ("npm", None),
    "Maven": ("maven", None),
    "Go": ("golang", None),
    "crates.io": ("cargo", None),
    "RubyGems": ("gem", None),
    "NuGet": ("nuget", None),
    "Packagist": ("composer", None),
    "Hex": ("hex", None),
    "Pub": ("pub", None),
    "Hackage": ("hackage", None),
    "CRAN": ("cran", None),
    "SwiftURL": ("swift", None),
    "ConanCenter": ("conan", None),
    "Bitnami": ("bitnami", None),
    "Debian": ("deb", "debian"),
    "Ubuntu": ("deb", "ubuntu"),
    "Alpine": ("apk", "alpine"),
    "Wolfi": ("apk", "wolfi"),
    "Chainguard": ("apk", "chainguard"),
    "Red Hat": ("rpm", "redhat"),
    "Rocky Linux": ("rpm", "rocky-linux"),
    "AlmaLinux": ("rpm", "almalinux"),
    "openSUSE": ("rpm", "opensuse"),
    "SUSE": ("rpm", "suse"),
    "Mageia": ("rpm", "mageia"),
    "openEuler": ("rpm", "openeuler"),
    "Photon OS": ("rpm", "photon"),
    "Azure Linux": ("rpm", "azure-linux"),
}
_PATH_NAMED = frozenset({"golang", "swift", "composer", "npm"})
_COMMIT_RE = re.compile(r"^(0|[0-9a-f]{40}|[0-9a-f]{64})$")
_EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
# NVD's placeholders mean "no CWE known"; they are not catalogue ids and not errors.
_CWE_PLACEHOLDERS = frozenset({"NVD-CWE-noinfo", "NVD-CWE-Other"})
_STR_MAX = 200
# CVSS 2 vectors and Ubuntu priorities ("medium") are letters, colons and slashes.
_OTHER_SCORE_RE = re.compile(r"^[A-Za-z:/]{1,100}$")


def parse_osv(doc: object) -> ParsedReport:
    """Validate an OSV document and normalise it. Raises ``InvalidInput`` with the OSV path
    (``affected[0].ranges[1].events[2].fixed``) of the first bad field."""
    obj = j.as_object(doc, "")
    osv_id = j.req_str(obj, "id", "", max_len=_STR_MAX).strip()
    extra: dict[str, JSONValue] = {"osv_id": osv_id}
    for key in ("modified", "published", "withdrawn"):
        stamp = j.opt_str(obj, key, "", max_len=64)
        if stamp is not None:
            extra[key] = _timestamp(stamp, key)
    if "modified" not in extra:
        raise InvalidInput("modified", "is required")

    summary = j.opt_str(obj, "summary", "", max_len=MAX_DESCRIPTION_CHARS, allow_empty=True)
    details = obj.get("details")
    if isinstance(details, str) and len(details) > MAX_DESCRIPTION_CHARS:
        raise TooLarge("details", f"must be at most {MAX_DESCRIPTION_CHARS} characters")
    details = j.opt_str(obj, "details", "", max_len=MAX_DESCRIPTION_CHARS, allow_empty=True)

    identifiers = [ident for ident in [identifier_or_none(osv_id)] if ident]
    identifiers += [
        normalise_identifier(v, p)
        for v, p in j.each_str(obj, "aliases", "", max_items=MAX_IDENTIFIERS, max_len=_STR_MAX)
    ]
    for key in ("related", "upstream"):
        values = [v for v, _ in j.each_str(obj, key, "", max_items=1000, max_len=_STR_MAX)]
        if values:
            extra[key] = cast(JSONValue, values)

    packages = _affected(obj, extra)
    cvss = _severity(obj, extra)
    refs = j.opt_list(obj, "references", "", max_items=10_000)
    if len(refs) > MAX_REFERENCES:
        extra["truncated"] = {"references": len(refs) - MAX_REFERENCES}
    db = j.opt_object(obj, "database_specific", "") or {}
    return ParsedReport(
        title=derive_title(summary or "")
        or derive_title(details or "")
        or derive_title(osv_id)
        or "OSV",
        source_format="osv",
        description=details or summary or "",
        package=packages[0] if packages else None,
        cwe=tuple(
            unique(
                normalise_cwe(v, p)
                for v, p in j.each_str(db, "cwe_ids", "database_specific", max_items=50, max_len=30)
                if v not in _CWE_PLACEHOLDERS
            )
        ),
        cvss=cvss,
        references=tuple(
            unique(
                _reference(v, j.index("references", i)) for i, v in enumerate(refs[:MAX_REFERENCES])
            )
        ),
        identifiers=tuple(unique(identifiers)),
        credits=tuple(
            parse_credit(v, j.index("credits", i))
            for i, v in enumerate(j.opt_list(obj, "credits", "", max_items=MAX_CREDITS))
        ),
        extra=extra,
    )


def _timestamp(value: str, path: str) -> str:
    # OSV timestamps are RFC 3339 in UTC ("…Z"); fromisoformat accepts the Z from 3.11 on.
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(path, "must be an RFC 3339 timestamp") from None
    return value


def _reference(value: object, path: str) -> str:
    obj = j.as_object(value, path)
    return normalise_url(j.req_str(obj, "url", path, max_len=4096), j.join(path, "url"))


def _affected(obj: dict[str, object], extra: dict[str, JSONValue]) -> list[PackageRef]:
    packages: list[PackageRef] = []
    git_ranges: list[JSONValue] = []
    for i, value in enumerate(j.opt_list(obj, "affected", "", max_items=MAX_AFFECTED)):
        path = j.index("affected", i)
        entry = j.as_object(value, path)
        pkg = j.opt_object(entry, "package", path)
        purl = _package_purl(pkg, j.join(path, "package")) if pkg is not None else None
        scheme = purl.type if purl is not None and purl.type in VERS_SCHEMES else None
        constraints: list[str] = []
        fixed: list[str] = []
        for ri, rvalue in enumerate(j.opt_list(entry, "ranges", path, max_items=MAX_RANGES)):
            rpath = j.index(j.join(path, "ranges"), ri)
            rng = j.as_object(rvalue, rpath)
            kind = j.req_str(rng, "type", rpath, max_len=20)
            events = _events(rng, rpath, git=kind == "GIT")
            if kind == "GIT":
                repo = j.req_str(rng, "repo", rpath, max_len=4096)
                git_ranges.append({"repo": repo, "events": cast(JSONValue, events)})
            elif kind in ("SEMVER", "ECOSYSTEM"):
                constraints += _to_constraints(events)
                fixed += [v for e in events for k, v in e.items() if k == "fixed"]
            else:
                raise InvalidInput(j.join(rpath, "type"), "must be GIT, SEMVER or ECOSYSTEM")
        versions = [
            check_version(v, p)
            for v, p in j.each_str(entry, "versions", path, max_items=100_000, max_len=100)
        ]
        if purl is None:
            continue
        if "*" in constraints:
            constraints = ["*"]  # one range affects everything; vers allows "*" only alone
        elif not constraints and 0 < len(versions) <= MAX_ENUMERATED_VERSIONS:
            constraints = versions  # an enumerated list is a vers of "=" constraints
        affected = None
        if scheme is not None and constraints:
            try:
                affected = build_vers(scheme, constraints, j.join(path, "ranges"))
            except InvalidInput:
                # Valid OSV whose versions univers cannot order (rare vendor schemes): keep the
                # report, record that the range could not be expressed as vers.
                extra.setdefault("vers_unavailable", [])
                cast(list[JSONValue], extra["vers_unavailable"]).append(i)
        packages.append(
            PackageRef(
                purl=str(purl.to_string()),
                affected=affected,
                fixed=tuple(unique(fixed))[:MAX_FIXED],
            )
        )
    if git_ranges:
        extra["git_ranges"] = git_ranges
    if len(packages) > 1:
        extra["other_packages"] = [p.to_dict() for p in packages[1:]]
    return packages


def _package_purl(pkg: dict[str, object], path: str) -> PackageURL:
    raw_eco = j.req_str(pkg, "ecosystem", path, max_len=_STR_MAX)
    # "Debian:11", "Alpine:v3.18", "Maven:https://repo…": the suffix is a release or registry.
    eco = raw_eco.split(":", 1)[0]
    if eco not in ECOSYSTEM_PURL:
        raise InvalidInput(j.join(path, "ecosystem"), "unknown or unsupported ecosystem")
    ptype, namespace = ECOSYSTEM_PURL[eco]
    name = j.req_str(pkg, "name", path, max_len=500).strip()
    given = j.opt_str(pkg, "purl", path, max_len=1000)
    if given is not None:
        purl = purl_from_string(given, j.join(path, "purl"))
        if purl.type != ptype:
            raise InvalidInput(j.join(path, "purl"), f"type must be {ptype} for ecosystem {eco}")
        return purl
    if ptype == "maven":
        namespace, _, name = name.partition(":")
        if not name:
            raise InvalidInput(j.join(path, "name"), "must be group:artifact for Maven")
    elif ptype in _PATH_NAMED and "/" in name:
        namespace, name = name.rsplit("/", 1)
    try:
        built = PackageURL(type=ptype, namespace=namespace, name=name).to_string()
    except ValueError:
        raise InvalidInput(j.join(path, "name"), "cannot form a package URL") from None
    return purl_from_string(str(built), j.join(path, "name"))


def _events(rng: dict[str, object], path: str, *, git: bool) -> list[dict[str, str]]:
    """Each event is an object with exactly one of introduced / fixed / last_affected / limit.
    GIT values are full commit hashes (or "0")."""
    events: list[dict[str, str]] = []
    seen: set[str] = set()
    epath = j.join(path, "events")
    items = j.as_list(rng.get("events"), epath, max_items=MAX_EVENTS)
    if not items:
        raise InvalidInput(epath, "must not be empty")
    for k, value in enumerate(items):
        vpath = j.index(epath, k)
        event = j.as_object(value, vpath)
        if len(event) != 1 or next(iter(event)) not in _EVENT_KINDS:
            raise InvalidInput(vpath, "must have exactly one of " + ", ".join(_EVENT_KINDS))
        kind, raw = next(iter(event.items()))
        version = j.as_str(raw, j.join(vpath, kind), max_len=100).strip()
        if git:
            version = version.lower()
            if not _COMMIT_RE.match(version):
                raise InvalidInput(j.join(vpath, kind), "must be a full commit hash")
        elif version != "0" or kind != "introduced":
            check_version(version, j.join(vpath, kind))
        seen.add(kind)
        events.append({kind: version})
    if "introduced" not in seen:
        raise InvalidInput(epath, "must contain an introduced event")
    if {"fixed", "last_affected"} <= seen:
        raise InvalidInput(epath, "must not mix fixed and last_affected")
    return events


def _to_constraints(events: list[dict[str, str]]) -> list[str]:
    """OSV events, in the order given, → vers constraints. ``introduced: "0"`` means "from the
    beginning"; an interval with neither bound is everything, which vers writes ``*``; a
    ``limit`` only bounds the search in GIT ranges and has no vers meaning."""
    constraints: list[str] = []
    lower: str | None = None
    for event in events:
        ((kind, version),) = event.items()
        if kind == "introduced":
            if lower is None:  # a second introduced inside an open interval adds nothing
                lower = version
        elif kind in ("fixed", "last_affected") and lower is not None:
            if lower != "0":
                constraints.append(f">={lower}")
            constraints.append(("<" if kind == "fixed" else "<=") + version)
            lower = None
    if lower == "0":
        return ["*"]
    if lower is not None:
        constraints.append(f">={lower}")
    return constraints


def _severity(obj: dict[str, object], extra: dict[str, JSONValue]) -> str | None:
    """The report's vector is the first CVSS 4.0, else the first 3.1 one; CVSS 2, 3.0 and
    Ubuntu ratings are kept in ``extra["severity_other"]`` after a shape check."""
    chosen: dict[str, str] = {}
    others: list[JSONValue] = []
    for i, value in enumerate(j.opt_list(obj, "severity", "", max_items=20)):
        path = j.index("severity", i)
        item = j.as_object(value, path)
        kind = j.req_str(item, "type", path, max_len=20)
        score = j.req_str(item, "score", path, max_len=300).strip()
        spath = j.join(path, "score")
        if kind in ("CVSS_V3", "CVSS_V4") and not score.startswith("CVSS:3.0/"):
            chosen.setdefault(kind, normalise_cvss(score, spath))
            continue
        if kind == "CVSS_V3":
            try:
                score = str(CVSS3(score).clean_vector())
            except Exception:  # cvss raises CVSSError subclasses on malformed vectors
                raise InvalidInput(spath, "is not a valid CVSS vector") from None
        elif kind not in ("CVSS_V2", "Ubuntu"):
            raise InvalidInput(j.join(path, "type"), "is not an OSV severity type")
        elif not _OTHER_SCORE_RE.match(score):
            raise InvalidInput(spath, f"is not a valid {kind} score")
        others.append({"type": kind, "score": score})
    if others:
        extra["severity_other"] = others
    return chosen.get("CVSS_V4") or chosen.get("CVSS_V3")
