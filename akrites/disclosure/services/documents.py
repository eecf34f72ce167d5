"""Rendering and storing one public version of an advisory (shared by publication, revision
and withdrawal).

``render_version`` renders and validates every document before anything is written (it
raises ``DocumentInvalid`` or ``InvalidInput`` and writes nothing); ``store_version`` then
writes that version's signed documents, its history row and the public face, inside the
caller's transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from akrites.core.errors import InvalidInput
from akrites.disclosure import conf
from akrites.disclosure.content import AdvisoryContent
from akrites.disclosure.models import (
    PublicAdvisory,
    PublicAffected,
    PublicCommit,
    PublicRevision,
    PublishedDocument,
    RevisionKind,
)
from akrites.disclosure.ranges import osv_package
from akrites.disclosure.renderers import KINDS, RenderContext, render_and_validate
from akrites.disclosure.renderers.context import RevisionNote, severity_label
from akrites.disclosure.renderers.csaf import csaf_filename
from akrites.disclosure.signing import sign


@dataclass(frozen=True)
class Version:
    """One public version, rendered and validated, not yet stored."""

    ctx: RenderContext
    content: AdvisoryContent
    kind: str  # RevisionKind
    summary: str  # the history entry: why this version was issued
    texts: dict[str, str]


def filename(kind: str, public_id: str) -> str:
    return csaf_filename(public_id) if kind == "csaf" else f"{public_id}.{kind}.json"


def check_publishable(content: AdvisoryContent) -> None:
    if not any(a.vers for a in content.affected):
        raise InvalidInput("affected", "name an affected package with a version range first")


def context(
    *,
    public_id: str,
    cve_id: str,
    published: datetime,
    modified: datetime,
    history: tuple[RevisionNote, ...] = (),
    withdrawn_reason: str | None = None,
) -> RenderContext:
    """The render context of the version after ``history`` (empty: the first version)."""
    version = len(history) + 1
    withdrawn = modified if withdrawn_reason is not None else None
    return RenderContext(
        public_id=public_id,
        osv_id=f"{conf.osv_prefix()}{public_id}",
        cve_id=cve_id,
        published=published,
        modified=modified,
        base_url=conf.base_url(),
        publisher=conf.publisher_name(),
        cve_org_id=conf.cve_org_id(),
        version=version,
        revisions=(),  # filled in by render_version
        withdrawn=withdrawn,
        withdrawn_reason=withdrawn_reason or "",
    )


def render_version(
    *,
    content: AdvisoryContent,
    ctx: RenderContext,
    history: tuple[RevisionNote, ...],
    kind: str,
    summary: str,
) -> Version:
    """Render and validate every document of the version ``ctx.version`` (nothing stored)."""
    check_publishable(content)
    notes = (*history, RevisionNote(ctx.version, ctx.modified, summary))
    full = RenderContext(**{**ctx.__dict__, "revisions": notes})
    return Version(full, content, kind, summary, render_and_validate(content, full))


def history_of(public: PublicAdvisory) -> tuple[RevisionNote, ...]:
    return tuple(RevisionNote(r.number, r.at, r.summary) for r in public.revisions.all())


def store_version(public: PublicAdvisory, version: Version) -> None:
    """Write the signed documents and the history row of ``version`` for ``public``."""
    ctx = version.ctx
    docs = []
    for kind in KINDS:
        data = version.texts[kind].encode("utf-8")
        docs.append(
            PublishedDocument(
                public=public,
                version=ctx.version,
                kind=kind,
                filename=filename(kind, ctx.public_id),
                content=version.texts[kind],
                sha256=hashlib.sha256(data).hexdigest(),
                sha512=hashlib.sha512(data).hexdigest(),
                signature=sign(data),
                published_at=ctx.modified,
            )
        )
    PublishedDocument.objects.bulk_create(docs)
    PublicRevision.objects.create(
        public=public,
        number=ctx.version,
        kind=version.kind,
        summary=version.summary,
        at=ctx.modified,
    )


def public_fields(version: Version) -> dict[str, object]:
    """The public face's columns for ``version`` (the latest one)."""
    ctx, content = version.ctx, version.content
    return {
        "cve_id": ctx.cve_id,
        "summary": content.summary,
        "details": content.details,
        "severity": severity_label(content),
        "search_text": " ".join(
            [ctx.public_id, ctx.osv_id, ctx.cve_id, content.summary, *content.aliases]
            + [a.purl for a in content.affected]
        ).lower(),
        "modified_at": ctx.modified,
        "version": ctx.version,
        "withdrawn_at": ctx.withdrawn,
    }


def index_version(public: PublicAdvisory, version: Version) -> None:
    """Replace the OSV query index of ``public`` with ``version``'s packages and commits; a
    withdrawn advisory is no longer found by queries (as on osv.dev), only by its id."""
    PublicAffected.objects.filter(public=public).delete()
    PublicCommit.objects.filter(public=public).delete()
    if version.kind == RevisionKind.WITHDRAWAL:
        return
    affected, commits = [], []
    for a in version.content.affected:
        pkg = osv_package(a.purl)
        affected.append(
            PublicAffected(
                public=public,
                ecosystem=pkg.ecosystem,
                name=pkg.name,
                purl=a.purl,
                vers=a.vers or "",
            )
        )
        commits += [
            PublicCommit(public=public, commit=commit)
            for g in a.git
            for kind, commit in g.events
            if kind in ("introduced", "last_affected") and commit != "0"
        ]
    PublicAffected.objects.bulk_create(affected)
    PublicCommit.objects.bulk_create(commits)
