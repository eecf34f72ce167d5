"""Renderers: one advisory → OSV, CVE (cnaContainer), CSAF 2.0, OpenVEX, CycloneDX VEX.

``render_all`` builds every document; ``validate_document`` checks one against its standard
(OSV and OpenVEX against the official schemas shipped in ``akrites.core.schemas``, CVE with cvelib,
CSAF with ``csaf.csaf.v20`` preset basic, CycloneDX with the library's strict validator).
Publication renders and validates all of them before storing any.
"""

from __future__ import annotations

from typing import Any

from akrites.disclosure.content import AdvisoryContent
from akrites.disclosure.renderers.context import RenderContext, as_json, dump
from akrites.disclosure.renderers.csaf import render_csaf
from akrites.disclosure.renderers.cve import render_cve
from akrites.disclosure.renderers.cyclonedx import render_cyclonedx
from akrites.disclosure.renderers.openvex import render_openvex
from akrites.disclosure.renderers.osv import render_osv
from akrites.disclosure.renderers.validate import DocumentInvalid, validate_document

KINDS: tuple[str, ...] = ("osv", "cve", "csaf", "openvex", "cyclonedx")

_RENDERERS = {
    "osv": render_osv,
    "cve": render_cve,
    "csaf": render_csaf,
    "openvex": render_openvex,
    "cyclonedx": render_cyclonedx,
}


def render_all(content: AdvisoryContent, ctx: RenderContext) -> dict[str, dict[str, Any]]:
    """Every document of the advisory, as plain JSON values (not yet validated)."""
    return {kind: as_json(_RENDERERS[kind](content, ctx)) for kind in KINDS}


def render_and_validate(content: AdvisoryContent, ctx: RenderContext) -> dict[str, str]:
    """Every document as the exact text to publish, each validated; raises DocumentInvalid
    for the first that does not validate (so nothing is published)."""
    docs = render_all(content, ctx)
    for kind, doc in docs.items():
        validate_document(kind, doc)
    return {kind: dump(doc) for kind, doc in docs.items()}


__all__ = [
    "KINDS",
    "DocumentInvalid",
    "RenderContext",
    "render_all",
    "render_and_validate",
    "validate_document",
]
