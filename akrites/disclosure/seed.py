"""A first draft of an advisory from the reports of its case.

The reports arrive already validated by intake (``Report.details`` is ``ParsedReport.to_dict()``
as JSON); the draft merges them in credit order — the first finder first (``credit_rank``, then
arrival) — and goes through ``content_from_dict`` like any edit. Anonymous credit is honoured:
such a finder is credited as "Anonymous", keeping their place in the order. The SIRT's
assessment of the case (``cases.triage``: CVSS vector, CWE), when there is one, replaces what
the reporters claimed. Finders whose reports join the case later are added to the draft's
credits by ``credits_with``, leaving the credits the SIRT edited as they are.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import F

from akrites.cases.models import Case
from akrites.core.errors import InvalidInput
from akrites.disclosure.content import ANONYMOUS, AdvisoryContent, content_from_dict
from akrites.intake.models import Report, ReportStatus
from akrites.intake.parsers.common import MAX_CREDITS, MAX_CWES, MAX_IDENTIFIERS, MAX_REFERENCES

_GIT_KINDS = ("introduced", "fixed", "last_affected")


def case_reports(case: Case) -> list[Report]:
    return list(
        case.reports.exclude(status=ReportStatus.REJECTED).order_by(
            F("credit_rank").asc(nulls_last=True), "created_at", "id"
        )
    )


def _details(report: Report) -> dict[str, Any]:
    try:
        value = json.loads(report.details) if report.details else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def report_credits(report: Report) -> list[dict[str, str]]:
    """The credits ``report``'s finder asked for: their name, "Anonymous", or the credits in
    the report itself (an OSV file names its finders); none when they gave no name."""
    return _credits(report, _details(report))


def _credits(report: Report, details: dict[str, Any]) -> list[dict[str, str]]:
    if report.credit_anonymous:
        return [{"name": ANONYMOUS, "type": "FINDER"}]
    if report.credit_name.strip():
        return [{"name": report.credit_name.strip(), "type": "FINDER"}]
    return [
        {"name": str(c.get("name", "")), "type": str(c.get("type") or "FINDER")}
        for c in details.get("credits") or []
        if isinstance(c, dict) and str(c.get("name", "")).strip()
    ]


def _git(details: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for rng in (details.get("extra") or {}).get("git_ranges") or []:
        events = [e for e in rng.get("events", []) if next(iter(e), None) in _GIT_KINDS]
        if events:
            out.append({"repo": rng.get("repo", ""), "events": events})
    return out


def seed_content(case: Case) -> AdvisoryContent:
    """Merge the case's reports into draft content. Raises InvalidInput only if the merged
    data is inconsistent (e.g. a range whose scheme does not fit its package)."""
    affected: dict[str, dict[str, Any]] = {}
    cvss: dict[str, str] = {}
    cwes: list[str] = []
    refs: list[str] = []
    aliases: list[str] = []
    credits: list[dict[str, str]] = []
    details_text = case.summary
    for report in case_reports(case):
        details = _details(report)
        details_text = details_text or str(details.get("description") or "")
        others = (details.get("extra") or {}).get("other_packages") or []
        packages = [details.get("package"), *others]
        for i, pkg in enumerate(p for p in packages if isinstance(p, dict)):
            entry = affected.setdefault(
                pkg["purl"],
                {"purl": pkg["purl"], "vers": pkg.get("affected"), "fixed": pkg.get("fixed") or []},
            )
            if i == 0 and not entry.get("git"):
                entry["git"] = _git(details)
        if report.purl and report.purl not in affected:
            affected[report.purl] = {"purl": report.purl}
        vector = details.get("cvss")
        if isinstance(vector, str):
            cvss.setdefault(vector.split("/", 1)[0], vector)
        cwes += [c for c in details.get("cwe") or [] if c not in cwes]
        refs += [r for r in details.get("references") or [] if r not in refs]
        aliases += [a for a in details.get("identifiers") or [] if a not in aliases]
        for credit in _credits(report, details):
            if credit["name"] == ANONYMOUS or credit["name"] not in {c["name"] for c in credits}:
                credits.append(credit)
    # The SIRT's assessment replaces the claims (an unvetted vector of the other CVSS version
    # would otherwise go out beside it).
    if case.assessed_cvss:
        cvss = {case.assessed_cvss.split("/", 1)[0]: case.assessed_cvss}
    if case.assessed_cwe:
        cwes = [case.assessed_cwe]
    if not affected and case.package is not None:
        affected[case.package.purl] = {"purl": case.package.purl}
    return content_from_dict(
        {
            "summary": case.title,
            "details": details_text,
            "affected": list(affected.values()),
            "cvss": list(cvss.values()),
            "cwes": cwes[:MAX_CWES],
            "references": refs[:MAX_REFERENCES],
            "credits": credits[:MAX_CREDITS],
            "aliases": aliases[:MAX_IDENTIFIERS],
        }
    )


def _creditable(credit: dict[str, str]) -> bool:
    try:
        content_from_dict({"summary": "-", "credits": [credit]})
    except InvalidInput:
        return False
    return True


def credits_with(
    current: list[dict[str, str]], case: Case, joined: set[int]
) -> list[dict[str, str]]:
    """``current`` (the draft's credit list, as the SIRT left it) with the finders of the
    ``joined`` reports added in credit order: each right after the credit of the nearest
    earlier finder still listed (else first). A name already listed is not added twice; the
    credits of the other reports, removed or renamed by the SIRT, stay as they are."""
    out = [dict(c) for c in current]
    at = 0
    for report in case_reports(case):
        credits = report_credits(report)
        if report.pk not in joined:
            for credit in credits:
                names = [c.get("name") for c in out]
                if credit["name"] in names[at:]:
                    at = names.index(credit["name"], at) + 1
            continue
        for credit in credits:
            listed = {c.get("name") for c in out}
            if credit["name"] != ANONYMOUS and credit["name"] in listed:
                continue
            if len(out) < MAX_CREDITS and _creditable(credit):
                out.insert(at, credit)
                at += 1
    return out


def credits_without(
    current: list[dict[str, str]], case: Case, left: list[Report]
) -> list[dict[str, str]]:
    """``current`` without the credits the finders of ``left`` (reports moved out of
    ``case``) asked for, except those a report still in the case asks for too; each
    "Anonymous" listed beyond the case's anonymous finders goes, the last first."""
    staying = [c["name"] for r in case_reports(case) for c in report_credits(r)]
    out = [dict(c) for c in current]
    for name in (c["name"] for r in left for c in report_credits(r)):
        listed = [i for i, c in enumerate(out) if c.get("name") == name]
        if name == ANONYMOUS and len(listed) > staying.count(ANONYMOUS):
            del out[listed[-1]]
        elif name != ANONYMOUS and listed and name not in staying:
            del out[listed[0]]
    return out
