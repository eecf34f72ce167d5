"""Export a case: everything the viewer may see of it, as one JSON document.

Composed only from the selectors the case room uses (``case_get``, ``case_timeline``,
``embargo_view``, ``case_content``, ``patch_list``, ``advisory_for_case``), so the field-level
rules are theirs and nothing here decides visibility; a part the viewer may not read is
``null``. Exporting is ``case.export`` (the SIRT and the maintainers) and needs a fresh second
factor. The export is audited as a read (``read.export``, whatever the case's status), and
so are the reports, patches and advisory draft in it, so it shows in ``akrites audit
who-read CASE``.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from akrites.access.policy import allowed, case_roles, require
from akrites.accounts.actors import user_or_none
from akrites.audit.selectors import READ_PREFIX
from akrites.audit.services import audit_append
from akrites.cases.models import Case
from akrites.cases.reads import record_read
from akrites.cases.selectors import case_get, case_timeline
from akrites.cases.triage.severity import score_or_none
from akrites.confidentiality.selectors import case_content, embargo_view
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import NotFound
from akrites.disclosure.models import Advisory
from akrites.disclosure.selectors import advisory_for_case
from akrites.remediation.selectors import patch_list

FORMAT = "akrites-case-export/1"


def case_export(*, viewer: Actor, human_id: str) -> dict[str, Any]:
    """The export bundle of case ``human_id`` as the viewer may see it (JSON-ready but for
    datetimes; see ``export_json``).

    Raises ``NotFound`` when the viewer may not see the case (the attempt is audited by
    ``case_get``), ``PermissionDenied`` when they see it but may not export, and
    ``StepUpRequired`` without a recent second factor in a browser session.
    """
    case = case_get(viewer=viewer, human_id=human_id)
    require(viewer, "case.export", case)
    content = case_content(viewer=viewer, case=case)  # audits each report it returns
    reports = None
    if content.reports is not None:
        reports = [
            {
                "id": r.public_id,
                "title": r.title,
                "body": r.body,
                "attachments": [{"id": i, "name": n, "size": s} for i, n, s in r.attachments],
            }
            for r in content.reports
        ]
    user = user_or_none(viewer)
    bundle = {
        "format": FORMAT,
        "exported_at": now(),
        # A host component (the only non-user that passes ``case.export``) by its repr.
        "exported_by": user.username if user is not None else str(viewer),
        "roles": sorted(case_roles(viewer, case)),
        "case": _summary(case),
        "severity": _severity(case),
        "embargo": _embargo(viewer, case),
        "reports": reports,
        "timeline": _timeline(viewer, case),
        "patches": _patches(viewer, case),
        "advisory_draft": _advisory(viewer, case),
    }
    with transaction.atomic():
        audit_append(
            actor=viewer,
            action=f"{READ_PREFIX}export",
            object_type="case",
            object_id=case.human_id,
            data={"ref": case.human_id, "reports": len(reports or [])},
        )
    return bundle


def export_json(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, cls=DjangoJSONEncoder, indent=2, sort_keys=True)


def _summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.human_id,
        "title": case.title,
        "summary": case.summary,
        "status": case.status,
        "project": case.project.slug,
        "package": case.package.purl if case.package else None,
        "created_at": case.created_at,
        "disclosed_at": case.disclosed_at,
        "known_exploited": case.known_exploited,
    }


def _severity(case: Case) -> dict[str, Any]:
    def one(vector: str, cwe: str) -> dict[str, Any] | None:
        severity = score_or_none(vector) if vector else None
        if severity is None:
            return None
        rating = {"score": severity.score, "rating": severity.rating}
        return {"vector": vector, "version": severity.version, **rating, "cwe": cwe or None}

    return {
        "assessed": one(case.assessed_cvss, case.assessed_cwe),
        "proposed": one(case.proposed_cvss, case.proposed_cwe),
    }


def _embargo(viewer: Actor, case: Case) -> dict[str, Any] | None:
    if not allowed(viewer, "case.read_embargo", case):
        return None
    view = embargo_view(viewer=viewer, case=case)
    e = view.embargo
    if e is None:
        return None
    return {
        "ends_at": e.ends_at,
        "ends_at_local": view.ends_at_local,
        "time_zone": view.zone,
        "limit_at": e.limit_at,
        "state": e.state,
        "exploited": e.exploited,
        "policy_default": e.pk is None,  # nobody has chosen a date yet
    }


def _timeline(viewer: Actor, case: Case) -> list[dict[str, Any]]:
    return [
        {
            "at": t.at,
            "actor": t.actor_label,
            "kind": t.kind,
            "old_status": t.old_status,
            "new_status": t.new_status,
            "reason": t.reason,
            "visibility": t.visibility,
        }
        for t in case_timeline(viewer=viewer, case=case)
    ]


def _patches(viewer: Actor, case: Case) -> list[dict[str, Any]] | None:
    if not allowed(viewer, "case.read_patch", case):
        return None
    out = []
    for p in patch_list(viewer=viewer, case=case):
        record_read(viewer=viewer, case=case, what="patch", ref=p.public_id)
        out.append(
            {
                "id": p.public_id,
                "title": p.title,
                "message": p.message,
                "diff": p.diff,
                "author": p.author_label,
                "author_role": p.author_role,
                "ai_generated": p.ai_generated,
                "canonical": p.canonical,
                "apply_check": p.apply_check,
                "created_at": p.created_at,
            }
        )
    return out


def _advisory(viewer: Actor, case: Case) -> dict[str, Any] | None:
    if not allowed(viewer, "case.read_advisory_draft", case):
        return None
    try:
        advisory: Advisory = advisory_for_case(viewer=viewer, human_id=case.human_id)
    except NotFound:
        return None
    record_read(viewer=viewer, case=case, what="advisory_draft", ref=case.human_id)
    try:
        content: Any = json.loads(advisory.content)
    except ValueError:  # a half-written draft is exported as it stands
        content = advisory.content
    return {
        "state": advisory.state,
        "cve_id": advisory.cve_id or None,
        "disclose_at": advisory.disclose_at,
        "published_at": advisory.published_at,
        "content": content,
    }
