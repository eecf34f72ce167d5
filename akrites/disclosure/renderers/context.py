"""What every renderer needs besides the content: ids, instants, and where we publish."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cvss import CVSS3, CVSS4

from akrites.disclosure.content import AdvisoryContent


@dataclass(frozen=True)
class RevisionNote:
    """One entry of an advisory's public history (CSAF ``revision_history``)."""

    number: int
    date: datetime
    summary: str


INITIAL_SUMMARY = "Initial public release."


@dataclass(frozen=True)
class RenderContext:
    public_id: str  # AKRITES-2026-00001 (CSAF tracking id, page URLs)
    osv_id: str  # x_AKRITES-2026-00001 until our prefix is registered with OSV
    cve_id: str  # our CVE id, or "" when the advisory has none
    published: datetime  # the first publication (version 1)
    modified: datetime  # this version
    base_url: str  # https://akrites.example (no trailing slash)
    publisher: str = "Akrites"
    cve_org_id: str = "00000000-0000-4000-8000-000000000000"
    version: int = 1
    # Every version up to and including this one; empty means version 1 only.
    revisions: tuple[RevisionNote, ...] = ()
    withdrawn: datetime | None = None
    withdrawn_reason: str = ""

    def advisory_url(self) -> str:
        return f"{self.base_url}/advisories/{self.public_id}/"

    def history(self) -> tuple[RevisionNote, ...]:
        return self.revisions or (RevisionNote(1, self.published, INITIAL_SUMMARY),)

    def withdrawal_note(self) -> str:
        """The sentence every document that can carry one says about a withdrawal."""
        assert self.withdrawn is not None
        return f"This advisory was withdrawn on {stamp(self.withdrawn)}: {self.withdrawn_reason}"


def stamp(moment: datetime) -> str:
    """RFC 3339 UTC with a Z, to the second: the form OSV, CSAF and OpenVEX all accept."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dump(doc: dict[str, Any]) -> str:
    """The exact text we store, hash, sign and serve (stable across runs)."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Score:
    version: str  # "3.1" or "4.0"
    vector: str
    base_score: float
    severity: str  # NONE, LOW, MEDIUM, HIGH, CRITICAL


def scores(content: AdvisoryContent) -> list[Score]:
    """The advisory's CVSS vectors with their base scores, 4.0 first."""
    out = []
    for vector in content.cvss:
        if vector.startswith("CVSS:4.0/"):
            v4 = CVSS4(vector)
            out.append(Score("4.0", vector, float(v4.base_score), str(v4.severity).upper()))
        else:
            v3 = CVSS3(vector)
            out.append(Score("3.1", vector, float(v3.scores()[0]), str(v3.severities()[0]).upper()))
    return sorted(out, key=lambda s: s.version, reverse=True)


def severity_label(content: AdvisoryContent) -> str:
    found = scores(content)
    return found[0].severity if found else ""


def names(content: AdvisoryContent) -> list[str]:
    return [c.name for c in content.credits]


def all_aliases(content: AdvisoryContent, ctx: RenderContext) -> list[str]:
    return ([ctx.cve_id] if ctx.cve_id else []) + [a for a in content.aliases if a != ctx.cve_id]


def as_json(value: Any) -> Any:
    """Round-trip through JSON (drops tuples and such) so validators see what we serve."""
    return json.loads(json.dumps(value))
