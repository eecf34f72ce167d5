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


# One bug (FIRST) worded three more ways (REWORDED), and four other bugs of the same package.
FIRST = parsed(
    "Billion laughs in yamlkit.load",
    "Heap exhaustion in expand_aliases() in yamlkit/loader.py before 2.4.1: a document with "
    "nested anchors makes yamlkit.load allocate exponentially much memory.",
    fixed=("2.4.1",),
)
REWORDED = [
    parsed("Alias bomb", "yamlkit 2.4.1 fixes unbounded memory use in expand_aliases when "
           "loading YAML with nested anchors.", fixed=("2.4.1",)),
    parsed("DoS via anchors", "A crafted YAML file with recursive aliases exhausts memory in "
           "yamlkit/loader.py expand_aliases(); fixed in 2.4.1.", fixed=("2.4.1",)),
    parsed("Memory exhaustion", "expand_aliases() in yamlkit/loader.py before 2.4.1 exhausts "
           "memory when yamlkit.load reads a document with nested anchors.", fixed=("2.4.1",)),
]  # fmt: skip


BACKGROUND = [
    parsed("Emitter symlinks", "yamlkit.dump follows symlinks in emit_to_path() and overwrites "
           "arbitrary files before 2.3.0.", fixed=("2.3.0",)),
    parsed("Tag injection", "Unsafe tag resolution in construct_object() lets a document "
           "instantiate arbitrary classes in yamlkit before 2.2.0.", fixed=("2.2.0",)),
    parsed("Scanner loop", "The scanner in yamlkit/scanner.py loops forever on a tab after a "
           "block scalar indicator; fixed in 2.3.2.", fixed=("2.3.2",)),
    parsed("Reader overflow", "read_chunk() in yamlkit/_reader.c writes past the buffer for "
           "UTF-16 input with an odd length, before 2.4.0.", fixed=("2.4.0",)),
]  # fmt: skip


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
