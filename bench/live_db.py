"""In-database side of ``bench.live``: run as ``python -m bench.live_db COMMAND`` inside one
site's environment (its var dir, keyring and database). Input is JSON on stdin, the answer is
one JSON line on stdout.

Commands:

* ``seed {"reporters": N, "maintainers": M}`` — a project team, project ``proofpkg`` with
  package ``pkg:pypi/proofpkg``, M maintainers with e-mail (so each report makes notification
  work for the task worker) and N reporter accounts with ``submit``+``read`` API tokens.
  Answers ``{"tokens": [...]}`` in reporter order.
* ``check {"marker_prefix": P, "acked": {marker: report_id}, "drain_seconds": S}`` — waits up
  to S seconds for the task queue and the notification outbox to drain, then checks every
  report whose title starts with P against the contract of the crash and abuse drills (see
  ``check``). Answers a dict of counts and lists of offending markers.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from collections import Counter
from typing import Any

MARKER_BODY = "Heap overflow reproducer body for {marker}: decode() trusts the length field."


def report_doc(marker: str) -> dict[str, Any]:
    """The report a drill client sends: title, body and one attachment carry the marker."""
    return {
        "format": "akrites-report/1",
        "title": f"{marker} heap overflow in proofpkg.decode",
        "description": MARKER_BODY.format(marker=marker),
        "package": {"purl": "pkg:pypi/proofpkg", "affected": "vers:pypi/<2.0.1"},
        "cwe": ["CWE-122"],
        "attachments": [
            {
                "name": "poc.txt",
                "media_type": "text/plain",
                "content_base64": base64.b64encode(marker.encode()).decode(),
            }
        ],
    }


def seed(args: dict[str, Any]) -> dict[str, Any]:
    from django.db import transaction

    from akrites.accounts.models import User
    from akrites.accounts.tokens import token_issue
    from akrites.core.actors import SystemActor
    from akrites.orgs.services import membership_add, org_create
    from akrites.projects.services import package_add, project_create

    actor = SystemActor("proof")
    with transaction.atomic():
        team = org_create(actor=actor, name="proof team", kind="project_team", slug="proof-team")
        project = project_create(actor=actor, name="proofpkg", team=team)
        package_add(actor=actor, project=project, purl="pkg:pypi/proofpkg")
        for i in range(int(args.get("maintainers", 1))):
            user = User.objects.create_user(
                username=f"proof-maint-{i}", email=f"m{i}@proof.example", password=None
            )
            membership_add(actor=actor, org=team, user=user, role="maintainer")
        tokens = []
        for i in range(int(args.get("reporters", 1))):
            user = User.objects.create_user(username=f"proof-rep-{i}", password=None)
            issued = token_issue(actor=actor, user=user, name="proof", scopes=["submit", "read"])
            tokens.append(issued.secret)
    return {"tokens": tokens}


def _drain(seconds: float) -> dict[str, int]:
    """Wait until no task is READY/RUNNING and every outbox event is dispatched."""
    from django.db import connection
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from akrites.notifications.models import Event

    deadline = time.monotonic() + seconds
    while True:
        pending = DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).count()
        events = Event.objects.filter(dispatched_at__isnull=True).count()
        if (pending == 0 and events == 0) or time.monotonic() > deadline:
            break
        connection.close()
        time.sleep(1)
    counts = Counter(DBTaskResult.objects.values_list("status", flat=True))
    interrupted = sum(1 for ids in DBTaskResult.objects.values_list("worker_ids", flat=True)
                      if len(ids or []) > 1)  # fmt: skip
    return {
        "tasks_pending": pending,
        "tasks_failed": counts.get(TaskResultStatus.FAILED, 0),
        "tasks_done": counts.get(TaskResultStatus.SUCCESSFUL, 0),
        "tasks_interrupted_and_rerun": interrupted,
        "events_undispatched": events,
    }


def check(args: dict[str, Any]) -> dict[str, Any]:
    """Every acknowledged report present once and intact; no half-written rows; chain intact.

    Contract checked, per report whose title starts with the prefix: title, body and the one
    attachment decrypt to the marker's exact text; the id is the acknowledged id; one report
    per marker; a report in a case (``in_case``/``duplicate``) has its case, every such case
    has a timeline entry; every report is named by an audit entry; the audit chain verifies.
    """
    from akrites.audit.models import AuditEntry
    from akrites.audit.services import audit_verify
    from akrites.cases.models import Case, TimelineEntry
    from akrites.intake.models import Attachment, Report

    prefix: str = args["marker_prefix"]
    acked: dict[str, str] = args.get("acked", {})
    result: dict[str, Any] = _drain(float(args.get("drain_seconds", 0)))
    by_marker: dict[str, list[Report]] = {}
    for report in Report.objects.only("public_id", "title", "body", "status", "case_id"):
        if report.title.startswith(prefix):
            by_marker.setdefault(report.title.split(" ", 1)[0], []).append(report)
    attachments: dict[int, list[bytes]] = {}
    for att in Attachment.objects.only("report_id", "content"):
        attachments.setdefault(att.report_id, []).append(bytes(att.content))
    audited: set[str] = set()
    for object_id, data in AuditEntry.objects.filter(
        action__in=["report.create", "report.create_batch"]
    ).values_list("object_id", "data"):
        audited.add(object_id)
        audited.update(item["report"] for item in (data or {}).get("created", []))
    with_timeline = set(TimelineEntry.objects.values_list("case_id", flat=True).distinct())
    case_ids = {r.case_id for rs in by_marker.values() for r in rs if r.case_id}
    verify = audit_verify()
    expected = report_doc
    result.update(
        {
            "reports": sum(len(rs) for rs in by_marker.values()),
            "acked": len(acked),
            "missing": sorted(m for m in acked if m not in by_marker),
            "duplicated": sorted(m for m, rs in by_marker.items() if len(rs) > 1),
            "wrong_id": sorted(
                m for m, rid in acked.items() if m in by_marker and by_marker[m][0].public_id != rid
            ),
            "content_mismatch": sorted(
                m
                for m, rs in by_marker.items()
                for r in rs
                if r.title != expected(m)["title"] or r.body != expected(m)["description"]
                or attachments.get(r.pk, []) != [m.encode()]
            ),
            "without_case": sorted(
                m for m, rs in by_marker.items() for r in rs
                if r.status in ("in_case", "duplicate") and r.case_id is None
            ),
            "cases": len(case_ids),
            "cases_without_timeline": len(case_ids - with_timeline),
            "cases_missing": len(case_ids - set(Case.objects.values_list("pk", flat=True))),
            "not_audited": sorted(m for m, rs in by_marker.items() for r in rs
                                  if r.public_id not in audited),
            "unacked_committed": sorted(m for m in by_marker if m not in acked),
            "audit_ok": verify.ok,
            "audit_checked": verify.checked,
            "audit_reason": verify.reason,
        }
    )  # fmt: skip
    return result


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akrites.settings")
    import django

    django.setup()
    args = json.loads(sys.stdin.read() or "{}")
    command = {"seed": seed, "check": check}[argv[0]]
    print(json.dumps(command(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
