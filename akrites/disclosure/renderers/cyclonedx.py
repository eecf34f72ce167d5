"""A CycloneDX 1.6 VEX document for one advisory, built with cyclonedx-python-lib.

Scores are ``Decimal`` (the library refuses floats); the serial number is derived from the
public id and the timestamp is the instant of this version, so the same version always
renders to the same bytes.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from cyclonedx.model import XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.contact import OrganizationalContact
from cyclonedx.model.impact_analysis import ImpactAnalysisAffectedStatus, ImpactAnalysisResponse
from cyclonedx.model.vulnerability import (
    BomTarget,
    BomTargetVersionRange,
    Vulnerability,
    VulnerabilityAdvisory,
    VulnerabilityAnalysis,
    VulnerabilityCredits,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from akrites.disclosure.content import AdvisoryContent
from akrites.disclosure.renderers.context import RenderContext, all_aliases, scores, stamp

# A fixed namespace for uuid5 serial numbers of our VEX documents.
_SERIAL_NS = uuid.UUID("6f1c8a52-3d51-4c6b-9a51-2a7f0d6c1e00")


def render_cyclonedx(content: AdvisoryContent, ctx: RenderContext) -> dict[str, Any]:
    components = []
    targets = []
    for affected in content.affected:
        purl = PackageURL.from_string(affected.purl)
        ref = affected.purl
        components.append(
            Component(
                type=ComponentType.LIBRARY,
                name=purl.name,
                group=purl.namespace,
                purl=purl,
                bom_ref=ref,
            )
        )
        versions = []
        if affected.vers:
            versions.append(
                BomTargetVersionRange(
                    range=affected.vers, status=ImpactAnalysisAffectedStatus.AFFECTED
                )
            )
        versions += [
            BomTargetVersionRange(version=v, status=ImpactAnalysisAffectedStatus.UNAFFECTED)
            for v in affected.fixed
        ]
        targets.append(BomTarget(ref=ref, versions=versions))
    ratings = [
        VulnerabilityRating(
            source=VulnerabilitySource(name=ctx.publisher, url=XsUri(ctx.advisory_url())),
            score=Decimal(str(s.base_score)),
            severity=VulnerabilitySeverity(s.severity.lower()),
            method=VulnerabilityScoreSource.CVSS_V4
            if s.version == "4.0"
            else VulnerabilityScoreSource.CVSS_V3_1,
            vector=s.vector,
        )
        for s in scores(content)
    ]
    vulnerability = Vulnerability(
        bom_ref=ctx.osv_id,
        id=ctx.cve_id or ctx.osv_id,
        source=VulnerabilitySource(name=ctx.publisher, url=XsUri(ctx.advisory_url())),
        references=[
            VulnerabilityReference(
                id=alias, source=VulnerabilitySource(name=alias.split("-", 1)[0])
            )
            for alias in [ctx.osv_id, *all_aliases(content, ctx)]
            if alias != (ctx.cve_id or ctx.osv_id)
        ],
        ratings=ratings,
        cwes=[int(cwe.split("-", 1)[1]) for cwe in content.cwes],
        description=content.summary,
        detail=content.details or None,
        advisories=[VulnerabilityAdvisory(url=XsUri(ctx.advisory_url()), title=content.summary)],
        published=ctx.published,
        updated=ctx.modified,
        credits=VulnerabilityCredits(
            individuals=[OrganizationalContact(name=c.name) for c in content.credits]
        )
        if content.credits
        else None,
        # "update" is the response when a fixed version exists; without one we claim none.
        analysis=VulnerabilityAnalysis(responses=[ImpactAnalysisResponse.UPDATE])
        if any(a.fixed for a in content.affected)
        else None,
        affects=targets,
    )
    bom = Bom(
        # One serial number per advisory; each revision is a new BOM version (CycloneDX §4).
        serial_number=uuid.uuid5(_SERIAL_NS, ctx.public_id),
        version=ctx.version,
        metadata=BomMetaData(timestamp=ctx.modified),
        components=components,
        vulnerabilities=[vulnerability],
    )
    doc: dict[str, Any] = json.loads(JsonV1Dot6(bom).output_as_string())
    if ctx.withdrawn is not None:
        # CycloneDX 1.6 ``rejected``; the library has no field for it yet.
        doc["vulnerabilities"][0]["rejected"] = stamp(ctx.withdrawn)
        doc["vulnerabilities"][0]["detail"] = ctx.withdrawal_note()
    return doc
