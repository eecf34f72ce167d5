"""The normalised shape every report parser produces.

A ``ParsedReport`` is plain data: no Django, no database. Every string in it has already been
validated by the parser that built it (purls normalised, ``vers`` ranges canonical, CVSS
vectors cleaned, CWE ids known to the bundled catalogue, URLs http/https), so downstream code
(intake services, dedup signals) may trust its shape but must still treat its *content* as
confidential reporter input.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
SourceFormat = Literal["akrites", "osv", "sarif", "text"]
SOURCE_FORMATS: tuple[SourceFormat, ...] = ("akrites", "osv", "sarif", "text")

MAX_TITLE_CHARS = 300


@dataclass(frozen=True, slots=True)
class PackageRef:
    """The package a report is about: a normalised purl, a canonical ``vers`` range or None
    when unknown, and the versions that fix it (as written by the source, validated)."""

    purl: str
    affected: str | None = None
    fixed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, JSONValue]:
        return {"purl": self.purl, "affected": self.affected, "fixed": list(self.fixed)}


@dataclass(frozen=True, slots=True)
class Location:
    """A place in source code; at least one of ``file`` and ``function`` is set."""

    file: str | None = None
    line: int | None = None
    function: str | None = None

    def to_dict(self) -> dict[str, JSONValue]:
        return {"file": self.file, "line": self.line, "function": self.function}


@dataclass(frozen=True, slots=True)
class Attachment:
    """A decoded attachment, at most ``max_attachment_bytes`` long. ``media_type`` is what the
    submitter declared: it is a label, never a reason to trust or render the bytes."""

    name: str
    media_type: str
    content: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "name": self.name,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
            "content_base64": base64.b64encode(self.content).decode("ascii"),
        }


@dataclass(frozen=True, slots=True)
class Credit:
    """Who should be credited, in OSV's vocabulary (``type`` is e.g. FINDER, REPORTER)."""

    name: str
    contact: tuple[str, ...] = ()
    type: str = "FINDER"

    def to_dict(self) -> dict[str, JSONValue]:
        return {"name": self.name, "contact": list(self.contact), "type": self.type}


@dataclass(frozen=True, slots=True)
class Tool:
    """The scanner or fuzzer that produced the finding, when the source names one."""

    name: str
    version: str | None = None

    def to_dict(self) -> dict[str, JSONValue]:
        return {"name": self.name, "version": self.version}


@dataclass(frozen=True, slots=True)
class ParsedReport:
    """One normalised report.

    Invariants (checked on construction, a violation is a parser bug, not bad input):
    ``title`` is non-empty, at most ``MAX_TITLE_CHARS`` long and a single line;
    ``source_format`` is one of ``SOURCE_FORMATS``. ``extra`` holds format-specific data that
    has no common field (OSV git ranges, SARIF rule ids, ``x_`` extension members) and is
    JSON-serialisable.
    """

    title: str
    source_format: SourceFormat
    description: str = ""
    package: PackageRef | None = None
    cwe: tuple[str, ...] = ()
    cvss: str | None = None
    locations: tuple[Location, ...] = ()
    stack_trace: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    identifiers: tuple[str, ...] = ()
    fingerprints: tuple[str, ...] = ()
    credits: tuple[Credit, ...] = ()
    tool: Tool | None = None
    extra: dict[str, JSONValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.title or len(self.title) > MAX_TITLE_CHARS or "\n" in self.title:
            raise ValueError("ParsedReport.title violates its invariant")
        if self.source_format not in SOURCE_FORMATS:
            raise ValueError("ParsedReport.source_format is not a known format")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedReport:
        """The report back from ``to_dict`` output (or the intake's stored ``details``).

        Attachments come back empty: the stored form keeps only their metadata, their bytes
        live in their own rows. Raises ``ValueError`` (or ``KeyError``/``TypeError``) for data
        that ``to_dict`` did not produce.
        """
        pkg = data.get("package")
        tool = data.get("tool")
        return cls(
            title=data["title"],
            source_format=data["source_format"],
            description=data.get("description") or "",
            package=PackageRef(
                purl=pkg["purl"], affected=pkg.get("affected"), fixed=tuple(pkg.get("fixed") or ())
            )
            if pkg
            else None,
            cwe=tuple(data.get("cwe") or ()),
            cvss=data.get("cvss"),
            locations=tuple(
                Location(file=loc.get("file"), line=loc.get("line"), function=loc.get("function"))
                for loc in data.get("locations") or ()
            ),
            stack_trace=tuple(data.get("stack_trace") or ()),
            references=tuple(data.get("references") or ()),
            identifiers=tuple(data.get("identifiers") or ()),
            fingerprints=tuple(data.get("fingerprints") or ()),
            credits=tuple(
                Credit(
                    name=c["name"],
                    contact=tuple(c.get("contact") or ()),
                    type=c.get("type") or "FINDER",
                )
                for c in data.get("credits") or ()
            ),
            tool=Tool(name=tool["name"], version=tool.get("version")) if tool else None,
            extra=dict(data.get("extra") or {}),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        """A JSON-serialisable form (attachments re-encoded as base64)."""
        return {
            "title": self.title,
            "source_format": self.source_format,
            "description": self.description,
            "package": self.package.to_dict() if self.package else None,
            "cwe": list(self.cwe),
            "cvss": self.cvss,
            "locations": [loc.to_dict() for loc in self.locations],
            "stack_trace": list(self.stack_trace),
            "references": list(self.references),
            "attachments": [att.to_dict() for att in self.attachments],
            "identifiers": list(self.identifiers),
            "fingerprints": list(self.fingerprints),
            "credits": [c.to_dict() for c in self.credits],
            "tool": self.tool.to_dict() if self.tool else None,
            "extra": self.extra,
        }
