"""Nothing vanishes (issue 19): every accepted report is visible to the SIRT — in the triage
queue or another case it can open, in the unrouted queue, or among the reports answered at
intake — whatever its package: registered, unregistered, none at all, a duplicate, already
public, or screened out by the maintainers' scope; and after the SIRT routes some of them.

Reports go in through the API's service (``submit_document``); visibility is read through the
selectors the SIRT's pages use. Each hypothesis example runs in a savepoint rolled back at
its end, so examples do not see each other's rows.
"""

import json
import secrets

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akrites.cases.models import Status
from akrites.cases.selectors import case_list
from akrites.cases.triage.selectors import triage_queue
from akrites.dedup.services import advisories_import
from akrites.intake import selectors
from akrites.intake.models import Report, ReportStatus
from akrites.intake.services.submit import submit_document
from akrites.intake.services.unrouted import unrouted_attach
from akrites.remediation.services import RuleIn, terms_update

KINDS = ("registered", "unregistered", "no_purl", "duplicate", "already_public", "out_of_scope")
ALIAS = "CVE-2031-0042"


@pytest.fixture
def world(sirt, maintainer, reporter, project, other_project, system):
    terms_update(
        actor=maintainer,
        project=project,
        contact_channels=[{"kind": "email", "address": "security@yamlkit.example"}],
        embargo_max_days=30,
        accepts_patches=True,
        accepts_ai_patches=False,
        supported_versions="",
        rules=[RuleIn("keyword", "debug mode", "Debug mode is not for production.")],
    )
    advisories_import(
        actor=system,
        advisories=[
            {
                "schema_version": "1.6.0",
                "id": "GHSA-aaaa-bbbb-0042",
                "aliases": [ALIAS],
                "summary": "Billion laughs in yamlkit",
                "details": "Heap exhaustion in expand_aliases() in yamlkit/loader.py.",
                "affected": [{"package": {"ecosystem": "PyPI", "name": "yamlkit"}}],
            }
        ],
    )
    return sirt, reporter


def _document(kind, previous):
    if kind == "duplicate" and previous is not None:
        return previous
    word = secrets.token_hex(6)
    doc = {
        "format": "akrites-report/1",
        "title": f"Overflow in parse_{word}",
        "description": f"parse_{word}() in src/{word}.c writes past its buffer of {word}.",
    }
    purl = {"registered": "pkg:pypi/yamlkit", "duplicate": "pkg:pypi/yamlkit",
            "unregistered": "pkg:pypi/rivet@1.0.0", "out_of_scope": "pkg:pypi/yamlkit"}  # fmt: skip
    if kind in purl:
        doc["package"] = {"purl": purl[kind]}
    if kind == "out_of_scope":
        doc["description"] += " Only when debug mode is on."
    if kind == "already_public":
        doc = {**doc, "title": "Known issue", "description": f"Is {ALIAS} fixed everywhere?"}
    return doc


def _submit(reporter, kinds):
    ids, previous = [], None
    for kind in kinds:
        doc = _document(kind, previous)
        previous = doc
        outcomes = submit_document(
            actor=reporter, body=json.dumps(doc).encode(), content_type="application/json"
        )
        ids += [o.report.public_id for o in outcomes]
    return ids


def _seen_by_sirt(sirt):
    """Report ids the SIRT finds on its pages: the queues, and every case it can open."""
    seen = {r.public_id for r in selectors.unrouted_list(viewer=sirt, limit=500)}
    seen |= {r.public_id for r in selectors.answered_list(viewer=sirt, limit=500)}
    cases = {c.pk for c in case_list(viewer=sirt, limit=500)}
    cases |= {row.case.pk for row in triage_queue(viewer=sirt, limit=500)}
    in_cases = Report.objects.filter(case_id__in=cases).values_list("public_id", flat=True)
    return seen | set(in_cases)


def _check(sirt, ids):
    assert set(ids) <= _seen_by_sirt(sirt)
    for report in Report.objects.filter(public_id__in=ids):
        # A true state, never the pre-routing "received".
        assert report.status != ReportStatus.RECEIVED
        assert (report.case_id is None) == (
            report.status in (ReportStatus.UNROUTED, ReportStatus.ALREADY_PUBLIC,
                              ReportStatus.REJECTED)
        )  # fmt: skip
        if report.case_id is not None:
            assert selectors.report_get(viewer=sirt, public_id=report.public_id)
            if report.case.status == Status.TRIAGE:
                queue = triage_queue(viewer=sirt, limit=500)
                assert report.case_id in {row.case.pk for row in queue}


def test_each_kind_of_report_lands_where_the_sirt_looks(world):
    sirt, reporter = world
    ids = _submit(reporter, KINDS)
    statuses = dict(Report.objects.filter(public_id__in=ids).values_list("public_id", "status"))
    assert [statuses[i] for i in ids] == [
        ReportStatus.IN_CASE, ReportStatus.UNROUTED, ReportStatus.UNROUTED,
        ReportStatus.UNROUTED,  # a copy of the report naming no package waits with it
        ReportStatus.ALREADY_PUBLIC, ReportStatus.REJECTED,
    ]  # fmt: skip
    _check(sirt, ids)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=5),
    route=st.sampled_from([None, "rivet", "yamlkit"]),
)
def test_every_accepted_report_is_visible_to_the_sirt(world, kinds, route):
    sirt, reporter = world
    with transaction.atomic():
        ids = _submit(reporter, kinds)
        _check(sirt, ids)
        waiting = selectors.unrouted_list(viewer=sirt)
        if route and waiting:
            # The SIRT routes the oldest waiting report (and all on its package) somewhere.
            purl = "pkg:pypi/rivet" if route == "rivet" else "pkg:pypi/yamlkit"
            target = waiting[0]
            if target.purl and not target.purl.startswith(purl):
                purl = target.purl.split("@")[0]
            unrouted_attach(actor=sirt, report_id=target.public_id, project_slug=route, purl=purl)
            assert Report.objects.get(pk=target.pk).status != ReportStatus.UNROUTED
            _check(sirt, ids)
        transaction.set_rollback(True)
