"""The CVE JSON 5.1 CNA container (published) for one advisory, validated with cvelib."""

from __future__ import annotations

from typing import Any

from packageurl import PackageURL

from akrites.disclosure.content import AdvisoryContent, Affected
from akrites.disclosure.ranges import vers_to_osv
from akrites.disclosure.renderers.context import RenderContext, scores, stamp
from akrites.intake.parsers.common import purl_type

# Where each ecosystem's packages live: CVE 5.1 names a package by collectionURL + packageName.
COLLECTION_URL: dict[str, str] = {
    "pypi": "https://pypi.org",
    "npm": "https://www.npmjs.com",
    "cargo": "https://crates.io",
    "gem": "https://rubygems.org",
    "maven": "https://repo.maven.apache.org/maven2",
    "golang": "https://pkg.go.dev",
    "nuget": "https://www.nuget.org",
    "composer": "https://packagist.org",
    "hex": "https://hex.pm",
    "pub": "https://pub.dev",
}
# CVE 5.1 versionType for the ecosystems whose version grammar has a well-known name.
_VERSION_TYPE: dict[str, str] = {
    "pypi": "python",
    "maven": "maven",
    "npm": "semver",
    "cargo": "semver",
    "golang": "semver",
}


def render_cve(content: AdvisoryContent, ctx: RenderContext) -> dict[str, Any]:
    """A ``cnaContainer`` for CVE Services (``POST cve/{id}/cna``); for a withdrawn advisory,
    the rejected container (``PUT cve/{id}/reject``) that says why."""
    if ctx.withdrawn is not None:
        return {
            "providerMetadata": {"orgId": ctx.cve_org_id},
            "rejectedReasons": [{"lang": "en", "value": ctx.withdrawal_note()}],
        }
    doc: dict[str, Any] = {
        "providerMetadata": {"orgId": ctx.cve_org_id},
        "title": content.summary,
        "datePublic": stamp(ctx.published),
        "descriptions": [{"lang": "en", "value": content.details or content.summary}],
        "affected": [_affected(a) for a in content.affected],
        "references": [{"url": ctx.advisory_url(), "tags": ["vendor-advisory"]}]
        + [{"url": url} for url in content.references],
    }
    if content.cwes:
        doc["problemTypes"] = [
            {
                "descriptions": [
                    {"lang": "en", "type": "CWE", "cweId": cwe, "description": cwe}
                    for cwe in content.cwes
                ]
            }
        ]
    metrics = []
    for s in scores(content):
        key = "cvssV4_0" if s.version == "4.0" else "cvssV3_1"
        metrics.append(
            {
                key: {
                    "version": s.version,
                    "vectorString": s.vector,
                    "baseScore": s.base_score,
                    "baseSeverity": s.severity,
                }
            }
        )
    if metrics:
        doc["metrics"] = metrics
    if content.credits:
        doc["credits"] = [
            {"lang": "en", "value": c.name, "type": "finder" if c.type == "FINDER" else "other"}
            for c in content.credits
        ]
    return doc


def _affected(affected: Affected) -> dict[str, Any]:
    purl = PackageURL.from_string(affected.purl)
    ptype = purl.type
    name = (
        f"{purl.namespace}:{purl.name}"
        if ptype == "maven"
        else (f"{purl.namespace}/{purl.name}" if purl.namespace else purl.name)
    )
    entry: dict[str, Any] = {
        "vendor": purl.namespace or purl.name,
        "product": purl.name,
        "packageName": name,
        "defaultStatus": "unaffected",
    }
    if ptype in COLLECTION_URL:
        entry["collectionURL"] = COLLECTION_URL[ptype]
    version_type = _VERSION_TYPE.get(ptype, "custom")
    versions: list[dict[str, Any]] = []
    if affected.vers:
        converted = vers_to_osv(affected.vers, purl_type=purl_type(affected.purl))
        for rng in converted.ranges:
            versions += _intervals(rng["events"], version_type)
        versions += [{"version": v, "status": "affected"} for v in converted.versions]
    elif len(affected.fixed) == 1:
        versions.append(
            {
                "version": "0",
                "lessThan": affected.fixed[0],
                "status": "affected",
                "versionType": version_type,
            }
        )
    if not versions:
        entry["defaultStatus"] = "unknown"
    else:
        entry["versions"] = versions
    return entry


def _intervals(events: list[dict[str, str]], version_type: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    start: str | None = None
    for event in events:
        ((kind, version),) = event.items()
        if kind == "introduced":
            start = version
            continue
        key = "lessThan" if kind == "fixed" else "lessThanOrEqual"
        out.append(
            {
                "version": start or "0",
                key: version,
                "status": "affected",
                "versionType": version_type,
            }
        )
        start = None
    if start is not None:
        # Open-ended: every version from ``start`` on. CVE 5 writes that as lessThan "*".
        out.append(
            {"version": start, "lessThan": "*", "status": "affected", "versionType": version_type}
        )
    return out
