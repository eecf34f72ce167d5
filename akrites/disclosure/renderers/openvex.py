"""An OpenVEX 0.2.0 document for one advisory (plain dicts: ``vexipy`` pulls a GPL dependency)."""

from __future__ import annotations

from typing import Any

from packageurl import PackageURL

from akrites.disclosure.content import AdvisoryContent
from akrites.disclosure.renderers.context import RenderContext, all_aliases, stamp

CONTEXT = "https://openvex.dev/ns/v0.2.0"


def render_openvex(content: AdvisoryContent, ctx: RenderContext) -> dict[str, Any]:
    """One ``affected`` statement per package (its ``vers`` range in ``status_notes``) and one
    ``fixed`` statement per fixed version."""
    name = ctx.cve_id or ctx.osv_id
    vulnerability: dict[str, Any] = {"@id": ctx.advisory_url(), "name": name}
    aliases = [a for a in [ctx.osv_id, *all_aliases(content, ctx)] if a != name]
    if aliases:
        vulnerability["aliases"] = aliases
    if content.summary:
        vulnerability["description"] = content.summary
    statements: list[dict[str, Any]] = []
    for affected in content.affected:
        purl = PackageURL.from_string(affected.purl)
        if affected.vers or affected.fixed:
            fixed = ", ".join(affected.fixed)
            statements.append(
                {
                    "vulnerability": vulnerability,
                    "products": [{"@id": affected.purl, "identifiers": {"purl": affected.purl}}],
                    "status": "affected",
                    "status_notes": f"Affected versions: {affected.vers or 'before ' + fixed}",
                    "action_statement": (
                        f"Upgrade to {fixed} or later." if fixed else "No fix is available yet."
                    ),
                }
            )
        for version in affected.fixed:
            versioned = str(purl._replace(version=version).to_string())
            statements.append(
                {
                    "vulnerability": vulnerability,
                    "products": [{"@id": versioned, "identifiers": {"purl": versioned}}],
                    "status": "fixed",
                }
            )
    if ctx.withdrawn is not None:
        # OpenVEX has no withdrawn status: each statement says so in its notes.
        for statement in statements:
            notes = statement.get("status_notes")
            statement["status_notes"] = ctx.withdrawal_note() + (f" {notes}" if notes else "")
    return {
        "@context": CONTEXT,
        "@id": f"{ctx.advisory_url()}openvex.json",
        "author": ctx.publisher,
        "role": "Coordinator",
        "timestamp": stamp(ctx.published),
        "last_updated": stamp(ctx.modified),
        "version": ctx.version,
        "tooling": "Akrites",
        "statements": statements,
    }
