"""The canonical advisory content: one plain, validated value every renderer reads.

``AdvisoryContent`` is pure data (no Django). ``content_from_dict`` validates untrusted input
(an API edit, or the JSON stored in ``Advisory.content``) with the same normalisers intake
uses for reports — purl, ``vers``, CVSS, CWE, URL, identifiers — and raises
``InvalidInput(path, reason)`` for the first bad field, naming the path, never the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from akrites.core.errors import InvalidInput
from akrites.intake.parsers.common import (
    MAX_CREDITS,
    MAX_CWES,
    MAX_FIXED,
    MAX_IDENTIFIERS,
    MAX_REFERENCES,
    VERS_SCHEMES,
    check_version,
    normalise_cvss,
    normalise_cwe,
    normalise_identifier,
    normalise_purl,
    normalise_url,
    normalise_vers,
    purl_type,
    unique,
)

MAX_SUMMARY = 300
MAX_DETAILS = 100_000
MAX_AFFECTED = 50
MAX_NAME = 200
CREDIT_TYPES = frozenset(
    {"FINDER", "REPORTER", "ANALYST", "COORDINATOR", "REMEDIATION_DEVELOPER", "OTHER"}
)
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_GIT_EVENTS = frozenset({"introduced", "fixed", "last_affected"})
ANONYMOUS = "Anonymous"


@dataclass(frozen=True)
class GitRange:
    repo: str
    events: tuple[tuple[str, str], ...]  # (kind, full commit hash)


@dataclass(frozen=True)
class Affected:
    purl: str  # canonical, without version
    vers: str | None = None  # canonical vers range of affected versions
    fixed: tuple[str, ...] = ()
    git: tuple[GitRange, ...] = ()


@dataclass(frozen=True)
class CreditEntry:
    name: str
    type: str = "FINDER"


@dataclass(frozen=True)
class AdvisoryContent:
    summary: str
    details: str = ""
    affected: tuple[Affected, ...] = ()
    cvss: tuple[str, ...] = ()
    cwes: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    credits: tuple[CreditEntry, ...] = ()
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "details": self.details,
            "affected": [
                {
                    "purl": a.purl,
                    "vers": a.vers,
                    "fixed": list(a.fixed),
                    "git": [
                        {"repo": g.repo, "events": [{k: v} for k, v in g.events]} for g in a.git
                    ],
                }
                for a in self.affected
            ],
            "cvss": list(self.cvss),
            "cwes": list(self.cwes),
            "references": list(self.references),
            "credits": [{"name": c.name, "type": c.type} for c in self.credits],
            "aliases": list(self.aliases),
        }


def _str(data: dict[str, Any], key: str, *, limit: int, required: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(key, "must be a string")
    value = value.strip()
    if required and not value:
        raise InvalidInput(key, "is required")
    if len(value) > limit:
        raise InvalidInput(key, f"must be at most {limit} characters")
    return value


def _list(data: dict[str, Any], key: str, *, limit: int) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise InvalidInput(key, "must be a list")
    if len(value) > limit:
        raise InvalidInput(key, f"must have at most {limit} items")
    return value


def _strings(data: dict[str, Any], key: str, limit: int) -> list[tuple[str, str]]:
    out = []
    for i, value in enumerate(_list(data, key, limit=limit)):
        if not isinstance(value, str):
            raise InvalidInput(f"{key}[{i}]", "must be a string")
        out.append((value, f"{key}[{i}]"))
    return out


def _git(value: Any, path: str) -> GitRange:
    if not isinstance(value, dict):
        raise InvalidInput(path, "must be an object")
    repo = normalise_url(str(value.get("repo", "")), f"{path}.repo")
    events: list[tuple[str, str]] = []
    raw = value.get("events")
    if not isinstance(raw, list) or not raw or len(raw) > 20:
        raise InvalidInput(f"{path}.events", "must be a list of 1 to 20 events")
    for i, event in enumerate(raw):
        epath = f"{path}.events[{i}]"
        if not isinstance(event, dict) or len(event) != 1:
            raise InvalidInput(epath, "must have exactly one event")
        ((kind, commit),) = event.items()
        if kind not in _GIT_EVENTS or not isinstance(commit, str):
            raise InvalidInput(epath, "must be introduced, fixed or last_affected")
        commit = commit.lower()
        if not (_COMMIT.match(commit) or (kind == "introduced" and commit == "0")):
            raise InvalidInput(epath, "must be a full 40-hex commit hash")
        events.append((kind, commit))
    return GitRange(repo=repo, events=tuple(events))


def _affected(value: Any, path: str) -> Affected:
    if not isinstance(value, dict):
        raise InvalidInput(path, "must be an object")
    purl = normalise_purl(str(value.get("purl", "")), f"{path}.purl")
    vers_raw = value.get("vers")
    vers = None
    if vers_raw:
        if not isinstance(vers_raw, str):
            raise InvalidInput(f"{path}.vers", "must be a string")
        vers = normalise_vers(vers_raw, f"{path}.vers", package_type=purl_type(purl))
    fixed = tuple(
        unique(check_version(v.strip(), p) for v, p in _strings(value, "fixed", MAX_FIXED))
    )
    git = tuple(_git(g, f"{path}.git[{i}]") for i, g in enumerate(_list(value, "git", limit=10)))
    ptype = purl_type(purl)
    if vers is None and len(fixed) == 1 and ptype in VERS_SCHEMES:
        # One fixed version and no range: every earlier version is affected, said explicitly
        # so that every format (and the OSV query) reads the same range.
        vers = normalise_vers(f"vers:{ptype}/<{fixed[0]}", f"{path}.fixed", package_type=ptype)
    return Affected(purl=purl, vers=vers, fixed=fixed, git=git)


def _credit(value: Any, path: str) -> CreditEntry:
    if not isinstance(value, dict):
        raise InvalidInput(path, "must be an object")
    name = _str(value, "name", limit=MAX_NAME, required=True)
    kind = str(value.get("type") or "FINDER").upper()
    if kind not in CREDIT_TYPES:
        raise InvalidInput(f"{path}.type", "is not an OSV credit type")
    return CreditEntry(name=" ".join(name.split()), type=kind)


def content_from_dict(data: Any) -> AdvisoryContent:
    """Validate and normalise advisory content. Raises ``InvalidInput``; never stores."""
    if not isinstance(data, dict):
        raise InvalidInput("content", "must be an object")
    summary = " ".join(_str(data, "summary", limit=MAX_SUMMARY, required=True).split())
    affected = [
        _affected(v, f"affected[{i}]")
        for i, v in enumerate(_list(data, "affected", limit=MAX_AFFECTED))
    ]
    purls = [a.purl for a in affected]
    if len(set(purls)) != len(purls):
        raise InvalidInput("affected", "names the same package twice")
    cvss = [normalise_cvss(v, p) for v, p in _strings(data, "cvss", 2)]
    if len({v.split("/", 1)[0] for v in cvss}) != len(cvss):
        raise InvalidInput("cvss", "at most one CVSS 3.1 and one CVSS 4.0 vector")
    return AdvisoryContent(
        summary=summary,
        details=_str(data, "details", limit=MAX_DETAILS),
        affected=tuple(affected),
        cvss=tuple(cvss),
        cwes=tuple(unique(normalise_cwe(v, p) for v, p in _strings(data, "cwes", MAX_CWES))),
        references=tuple(
            unique(normalise_url(v, p) for v, p in _strings(data, "references", MAX_REFERENCES))
        ),
        credits=tuple(
            _credit(v, f"credits[{i}]")
            for i, v in enumerate(_list(data, "credits", limit=MAX_CREDITS))
        ),
        aliases=tuple(
            unique(
                normalise_identifier(v, p) for v, p in _strings(data, "aliases", MAX_IDENTIFIERS)
            )
        ),
    )


def cvss_by_version(content: AdvisoryContent) -> dict[str, str]:
    """``{"3.1": vector, "4.0": vector}`` for the vectors the advisory carries."""
    return {v.split("/", 1)[0].removeprefix("CVSS:"): v for v in content.cvss}
