"""What intake asks the layers above it while it records a batch, and the contract types.

Duplicate detection (``akrites.dedup``) and the maintainers' scope terms
(``akrites.remediation``) sit above intake: they read its reports. So intake declares the
questions it asks here and those apps provide the answers in their ``AppConfig.ready()``
(``core.hooks``). Every hook runs in intake's transaction, before anything is routed:

1. ``dedup_decide`` — is each report new, a duplicate, or already public?
2. ``scope_screen`` — is each case intake is about to open out of the maintainers' scope?
3. ``dedup_index`` — after the reports are stored, add them to the shared index.

And one the de-duplication's merges call too: ``finders_joined`` — finders' reports joined a
case that already existed, so the advisory drafted for it credits them (``akrites.disclosure``);
its splits call ``finders_left``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from akrites.core.hooks import hook

if TYPE_CHECKING:
    from akrites.cases.models import Case
    from akrites.intake.models import Report
    from akrites.intake.parsers import ParsedReport

VerdictKind = Literal["new", "duplicate", "already_public"]


@dataclass(frozen=True)
class DedupQuery:
    """One incoming report: its key (the report's public id), content and project (if known)."""

    key: str
    parsed: ParsedReport
    project_id: int | None = None


@dataclass(frozen=True)
class DedupVerdict:
    """The decision on one report.

    ``kind``: ``duplicate`` (join ``case``; ``case`` is None when the matched report has no
    case yet: an earlier report of this batch, or one on an unregistered package;
    ``duplicate_of`` names the matched report key either way), ``already_public``
    (``advisory_id`` names the published advisory), or ``new``. ``related`` lists
    ``(case human id | advisory id | report key, score)`` of look-alikes. ``evidence`` names
    the signals and may quote report content: store it encrypted, never log it.
    """

    key: str
    kind: VerdictKind
    score: float
    evidence: list[str]
    related: list[tuple[str, float]]
    case: Case | None = None
    duplicate_of: str | None = None
    advisory_id: str | None = None


@hook
def dedup_decide(*, queries: Sequence[DedupQuery]) -> Sequence[DedupVerdict]:
    """One verdict per query, in order, each seeing the earlier ones; writes nothing.

    A fixed number of queries whatever the batch size; never raises on report content.
    """
    raise NotImplementedError


@hook
def dedup_index(*, stored: Sequence[tuple[DedupVerdict, Report]]) -> None:
    """Add stored reports (saved, with their verdict from ``dedup_decide``) to the index."""
    raise NotImplementedError


@dataclass(frozen=True)
class ScopeQuery:
    """A case intake is about to open: its project and the reports it would hold, first the
    report that opens it, then the copies of it in the same batch."""

    project_id: int
    reports: tuple[ParsedReport, ...]


@dataclass(frozen=True)
class ScopeAnswer:
    """Why a case-to-be is out of scope: the maintainers' published rule (id and kind) and
    the reason the reporter is told."""

    rule_id: int
    rule_kind: str
    reason: str


@hook
def scope_screen(*, queries: Sequence[ScopeQuery]) -> list[ScopeAnswer | None]:
    """One answer per query, in order: the rule that puts every one of its reports out of
    scope, or None (the case is opened). Reads only; one query whatever the batch size."""
    raise NotImplementedError


@hook
def finders_joined(*, reports: Sequence[Report]) -> None:
    """``reports`` (saved, each with its case) joined a case that existed before them: a
    duplicate at intake, or a merge. Runs in the caller's transaction; their finders are
    offered credit in the case's advisory while it is a draft (provided by disclosure)."""
    raise NotImplementedError


@hook
def finders_left(*, case: Case, reports: Sequence[Report]) -> None:
    """``reports`` were moved out of ``case`` (a split); the case's draft advisory no longer
    credits their finders, unless a report still in the case asks for the same credit."""
    raise NotImplementedError
