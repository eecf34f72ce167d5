"""Helpers for the dedup app's database tests: reports (fictional), and the intake flow.

``submit`` goes through ``reports_record``, which records the reports, decides them, lets
duplicates join the matched case and indexes everything in one transaction.
"""

from __future__ import annotations

from typing import Any

from akrites.dedup.services import DedupResult
from akrites.intake.models import Report
from akrites.intake.parsers import Location, PackageRef, ParsedReport
from akrites.intake.services import Submission, reports_record

YAMLKIT = "pkg:pypi/yamlkit"
BOILERPLATE = (
    "yamlkit is a fast YAML toolkit for Python used by configuration loaders everywhere. "
    "In affected versions "
)


def parsed(
    title: str,
    text: str = "",
    *,
    purl: str | None = YAMLKIT,
    fixed: tuple[str, ...] = (),
    affected: str | None = None,
    **extra: Any,
) -> ParsedReport:
    package = PackageRef(purl=purl, affected=affected, fixed=fixed) if purl else None
    extra.setdefault("source_format", "akrites")
    return ParsedReport(title=title, description=text, package=package, **extra)


def sarif(rule: str, where: str, line: int, fingerprint: str) -> ParsedReport:
    return parsed(
        f"{rule} in {where}", f"Query built from user input at {where}:{line}.",
        source_format="sarif", fingerprints=(f"primaryLocationLineHash:{fingerprint}",),
        locations=(Location(file=where, line=line),),
    )  # fmt: skip


def submit(actor: Any, *reports: ParsedReport) -> list[tuple[Report, DedupResult]]:
    """Submit through the intake's single path; (stored report, its dedup decision) each."""
    outcomes = reports_record(actor=actor, submissions=[Submission(p) for p in reports])
    return [(Report.objects.get(pk=o.report.pk), o.dedup) for o in outcomes]  # type: ignore[misc]
