"""A CSAF 2.0 security advisory (``csaf_security_advisory``) for one advisory.

CSAF 2.0 knows CVSS v2 and v3 only, so a CVSS 4.0 vector appears in the other formats but not
here; it has one CWE per vulnerability, so the first CWE is the one named.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from packageurl import PackageURL

from akrites.disclosure.content import AdvisoryContent
from akrites.disclosure.renderers.context import (
    RenderContext,
    all_aliases,
    names,
    scores,
    stamp,
)

TLP_URL = "https://www.first.org/tlp/"


def csaf_filename(public_id: str) -> str:
    """CSAF 2.0 §5.1: the tracking id, lower-cased, other characters than + - a-z 0-9 → _."""
    return "".join(ch if ch.isalnum() or ch in "+-" else "_" for ch in public_id.lower()) + ".json"


def csaf_url(ctx: RenderContext) -> str:
    return (
        f"{ctx.base_url}/.well-known/csaf/white/{ctx.published.year}/{csaf_filename(ctx.public_id)}"
    )


@functools.cache
def _cwe_lookup() -> Callable[[str], Any]:
    from csaf import cwe_entry  # slow import (≈1.5 s): pay it only when rendering CSAF

    return cwe_entry  # type: ignore[no-any-return]


def render_csaf(content: AdvisoryContent, ctx: RenderContext) -> dict[str, Any]:
    branches, affected_ids, fixed_ids, fixes = _product_tree(content)
    vulnerability: dict[str, Any] = {
        "title": content.summary,
        "notes": [
            {
                "category": "description",
                "title": "Description",
                "text": content.details or content.summary,
            }
        ],
        "product_status": {},
        "references": [{"category": "external", "summary": "Advisory", "url": ctx.advisory_url()}]
        + [{"category": "external", "summary": "Reference", "url": u} for u in content.references],
    }
    if ctx.cve_id:
        vulnerability["cve"] = ctx.cve_id
    vulnerability["ids"] = [{"system_name": "OSV", "text": ctx.osv_id}] + [
        {"system_name": alias.split("-", 1)[0], "text": alias}
        for alias in all_aliases(content, ctx)
        if alias != ctx.cve_id
    ]
    if content.cwes:
        entry = _cwe_lookup()(content.cwes[0])
        vulnerability["cwe"] = {"id": entry.id, "name": entry.name}
    if affected_ids:
        vulnerability["product_status"]["known_affected"] = affected_ids
    if fixed_ids:
        vulnerability["product_status"]["fixed"] = fixed_ids
    if fixes:
        vulnerability["remediations"] = fixes
    elif affected_ids:
        vulnerability["remediations"] = [
            {
                "category": "none_available",
                "details": "No fixed version is known yet.",
                "product_ids": affected_ids,
            }
        ]
    v3 = [s for s in scores(content) if s.version == "3.1"]
    if v3 and affected_ids:
        s = v3[0]
        vulnerability["scores"] = [
            {
                "cvss_v3": {
                    "version": "3.1",
                    "vectorString": s.vector,
                    "baseScore": s.base_score,
                    "baseSeverity": s.severity,
                },
                "products": affected_ids,
            }
        ]
    if content.credits:
        vulnerability["acknowledgments"] = [{"names": names(content)}]
    document: dict[str, Any] = {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "distribution": {"tlp": {"label": "WHITE", "url": TLP_URL}},
        "lang": "en",
        "notes": [{"category": "summary", "title": "Summary", "text": content.summary}],
        "publisher": {"category": "coordinator", "name": ctx.publisher, "namespace": ctx.base_url},
        "references": [
            {"category": "self", "summary": "This CSAF document", "url": csaf_url(ctx)},
            {
                "category": "external",
                "summary": "Human-readable advisory",
                "url": ctx.advisory_url(),
            },
        ],
        "title": content.summary,
        "tracking": {
            "current_release_date": stamp(ctx.modified),
            "generator": {"engine": {"name": "Akrites"}},
            "id": ctx.public_id,
            "initial_release_date": stamp(ctx.published),
            "revision_history": [
                {"date": stamp(r.date), "number": str(r.number), "summary": r.summary}
                for r in ctx.history()
            ],
            # A withdrawn advisory stays final in CSAF 2.0 (its status has no "withdrawn"):
            # the last revision and a document note say it is withdrawn, and why.
            "status": "final",
            "version": str(ctx.version),
        },
    }
    if ctx.withdrawn is not None:
        document["notes"].append(
            {"category": "general", "title": "Withdrawn", "text": ctx.withdrawal_note()}
        )
    return {
        "document": document,
        "product_tree": {"branches": branches},
        "vulnerabilities": [vulnerability],
    }


def _product_tree(
    content: AdvisoryContent,
) -> tuple[list[dict[str, Any]], list[str], list[str], list[dict[str, Any]]]:
    branches: list[dict[str, Any]] = []
    affected_ids: list[str] = []
    fixed_ids: list[str] = []
    fixes: list[dict[str, Any]] = []
    for i, affected in enumerate(content.affected, start=1):
        purl = PackageURL.from_string(affected.purl)
        leaves: list[dict[str, Any]] = []
        if affected.vers:
            pid = f"AKRITES-PID-{i}-AFFECTED"
            affected_ids.append(pid)
            leaves.append(
                {
                    "category": "product_version_range",
                    "name": affected.vers,
                    "product": {
                        "name": f"{purl.name} {affected.vers}",
                        "product_id": pid,
                        "product_identification_helper": {"purl": affected.purl},
                    },
                }
            )
        package_fixed: list[str] = []
        for j, version in enumerate(affected.fixed, start=1):
            pid = f"AKRITES-PID-{i}-FIXED-{j}"
            package_fixed.append(pid)
            leaves.append(
                {
                    "category": "product_version",
                    "name": version,
                    "product": {
                        "name": f"{purl.name} {version}",
                        "product_id": pid,
                        "product_identification_helper": {
                            "purl": str(purl._replace(version=version).to_string())
                        },
                    },
                }
            )
        fixed_ids += package_fixed
        if affected.vers and affected.fixed:
            fixes.append(
                {
                    "category": "vendor_fix",
                    "details": f"Upgrade {purl.name} to {', '.join(affected.fixed)} or later.",
                    "product_ids": [f"AKRITES-PID-{i}-AFFECTED"],
                }
            )
        if leaves:
            branches.append(
                {
                    "category": "vendor",
                    "name": purl.namespace or purl.name,
                    "branches": [
                        {"category": "product_name", "name": purl.name, "branches": leaves}
                    ],
                }
            )
    return branches, affected_ids, fixed_ids, fixes
