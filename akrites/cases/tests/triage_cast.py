"""Helpers shared by the triage tests: reports with vectors, scanners, a fixed instant."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


def send(actor: Any, title: str, *, cvss: str | None = None, cwe: tuple[str, ...] = ()) -> Any:
    """One report on ``pkg:pypi/yamlkit`` through the single intake path; returns its case.

    Each title gets its own words, file and function, so duplicate detection (which runs on
    the same path) sees distinct bugs and opens one case per report.
    """
    from akrites.intake.parsers import Location, PackageRef, ParsedReport

    words = [hashlib.sha256(f"{title}/{n}".encode()).hexdigest()[:10] for n in range(16)]
    from akrites.intake.services.record import Submission, reports_record

    parsed = ParsedReport(
        title=title,
        source_format="akrites",
        description=" ".join(f"z{w}" for w in words),
        package=PackageRef(purl="pkg:pypi/yamlkit"),
        locations=(Location(file=f"src/x{words[0]}.c", function=f"f{words[1]}"),),
        cvss=cvss,
        cwe=cwe,
    )
    return reports_record(actor=actor, submissions=[Submission(parsed)])[0].case


def scanner(system: Any, org: Any, username: str = "scanbot") -> Any:
    from akrites.accounts.services import scanner_create

    return scanner_create(actor=system, username=username, owner=org, display_name="Scan bot")
