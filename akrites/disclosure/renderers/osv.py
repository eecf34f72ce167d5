"""OSV 1.7 (https://ossf.github.io/osv-schema/) from one advisory."""

from __future__ import annotations

from typing import Any

from akrites.disclosure.content import AdvisoryContent
from akrites.disclosure.ranges import osv_package, vers_to_osv
from akrites.disclosure.renderers.context import RenderContext, all_aliases, scores, stamp
from akrites.intake.parsers.common import purl_type


def render_osv(content: AdvisoryContent, ctx: RenderContext) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": "1.7.0",
        "id": ctx.osv_id,
        "modified": stamp(ctx.modified),
        "published": stamp(ctx.published),
    }
    if ctx.withdrawn is not None:
        doc["withdrawn"] = stamp(ctx.withdrawn)
    aliases = all_aliases(content, ctx)
    if aliases:
        doc["aliases"] = aliases
    doc["summary"] = content.summary
    if content.details:
        doc["details"] = content.details
    severity = [
        {"type": "CVSS_V4" if s.version == "4.0" else "CVSS_V3", "score": s.vector}
        for s in scores(content)
    ]
    if severity:
        doc["severity"] = severity
    doc["affected"] = [_affected(a, content) for a in content.affected]
    doc["references"] = [{"type": "ADVISORY", "url": ctx.advisory_url()}] + [
        {"type": "WEB", "url": url} for url in content.references
    ]
    if content.credits:
        doc["credits"] = [{"name": c.name, "type": c.type} for c in content.credits]
    doc["database_specific"] = {"cwe_ids": list(content.cwes), "source": ctx.advisory_url()}
    return doc


def _affected(affected: Any, content: AdvisoryContent) -> dict[str, Any]:
    pkg = osv_package(affected.purl)
    entry: dict[str, Any] = {
        "package": {"ecosystem": pkg.ecosystem, "name": pkg.name, "purl": pkg.purl}
    }
    ranges: list[dict[str, Any]] = []
    versions: list[str] = []
    if affected.vers:
        converted = vers_to_osv(affected.vers, purl_type=purl_type(affected.purl))
        ranges, versions = converted.ranges, converted.versions
    elif len(affected.fixed) == 1:
        ranges = [
            {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": affected.fixed[0]}]}
        ]
    ranges += [
        {"type": "GIT", "repo": g.repo, "events": [{k: v} for k, v in g.events]}
        for g in affected.git
    ]
    if ranges:
        entry["ranges"] = ranges
    if versions:
        entry["versions"] = versions
    return entry
