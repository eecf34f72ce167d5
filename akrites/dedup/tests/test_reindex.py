"""``akrites dedup-reindex``: entries of an older feature version are re-extracted in place."""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from akrites.audit.models import AuditEntry
from akrites.core.actors import SystemActor
from akrites.core.errors import PermissionDenied
from akrites.dedup.docs import doc_from_parsed
from akrites.dedup.engine import FEATURES_VERSION, Features, features
from akrites.dedup.hashing import Hasher
from akrites.dedup.models import DedupCounter, DedupEntry, DedupPosting, EntryKind
from akrites.dedup.services import DedupItem, advisories_import, dedup_decide_batch
from akrites.dedup.services.reindex import dedup_reindex, stale_counts
from akrites.dedup.store import increments
from akrites.dedup.tests.dedup_cast import BACKGROUND, FIRST, REWORDED, parsed, submit
from akrites.dedup.tests.test_import_osv import advisory
from akrites.dedup.writer import replace_features
from akrites.intake.parsers import ParsedReport

pytestmark = pytest.mark.django_db

REPORTS = [FIRST, BACKGROUND[0], BACKGROUND[2]]
OTHER_WORDS = parsed("Unrelated", "Totally different words: quorum lattice penumbra.")


def _age(entries: list[DedupEntry]) -> None:
    """Make ``entries`` look written by an older engine: other features, version 1."""
    hasher = Hasher()
    replace_features([(e, features(doc_from_parsed(e.key, OTHER_WORDS))) for e in entries], hasher)
    DedupEntry.objects.filter(pk__in=[e.pk for e in entries]).update(features_version=1)


def _decide(report: ParsedReport) -> Any:
    with transaction.atomic():
        [result] = dedup_decide_batch(items=[DedupItem.from_parsed(key="probe", parsed=report)])
        transaction.set_rollback(True)
    return result


def _expected_index() -> tuple[Counter[int], set[tuple[int, int]]]:
    hasher, counters, postings = Hasher(), Counter[int](), set[tuple[int, int]]()
    for entry in DedupEntry.objects.all():
        feats = Features.from_json(entry.features)
        counters.update(increments(hasher, feats))
        postings.update((h, entry.pk) for h in hasher.postings(feats.index_tokens()))
    return +counters, postings


def _index() -> tuple[Counter[int], set[tuple[int, int]]]:
    counters = Counter({c.key: c.n for c in DedupCounter.objects.exclude(n=0)})
    return counters, set(DedupPosting.objects.values_list("token_hash", "entry_id"))


def test_reindex_re_extracts_stale_reports_and_leaves_the_index_as_if_built_fresh(
    project: Any, reporter: Any
) -> None:
    submitted = submit(reporter, *REPORTS)
    entries = list(DedupEntry.objects.filter(kind=EntryKind.REPORT))
    before = {e.key: (e.pk, e.created_at, e.decision) for e in entries}
    _age(entries[:2])
    assert stale_counts() == {"report": 2, "advisory": 0}
    reworded = REWORDED[0]
    assert _decide(reworded).kind == "new"  # aged, the first report no longer meets it

    counts = dedup_reindex(actor=SystemActor("test"), batch=1)

    assert (counts.reindexed, counts.unreadable, counts.advisories_stale) == (2, 0, 0)
    assert stale_counts() == {"report": 0, "advisory": 0}
    for entry in DedupEntry.objects.select_related("report"):
        stored = ParsedReport.from_dict(json.loads(entry.report.details))  # type: ignore[union-attr]
        assert Features.from_json(entry.features) == features(doc_from_parsed(entry.key, stored))
        assert entry.features_version == FEATURES_VERSION
        assert (entry.pk, entry.created_at, entry.decision) == before[entry.key]
    assert _index() == _expected_index()
    [(_, again)] = submit(reporter, reworded)
    assert again.kind == "duplicate"
    assert again.duplicate_of == submitted[0][0].public_id


def test_reindex_keeps_unreadable_reports_and_needs_an_operator(
    project: Any, reporter: Any
) -> None:
    [(report, _)] = submit(reporter, REPORTS[0])
    DedupEntry.objects.update(features_version=1)
    type(report).objects.filter(pk=report.pk).update(details="{not json")
    with pytest.raises(PermissionDenied):
        dedup_reindex(actor=reporter)
    counts = dedup_reindex(actor=SystemActor("test"))
    assert (counts.reindexed, counts.unreadable) == (0, 1)
    assert DedupEntry.objects.get().features_version == 1


def test_stale_advisories_wait_for_a_re_import_which_refreshes_them(project: Any) -> None:
    system = SystemActor("test")
    advisories_import(actor=system, advisories=[advisory("PYSEC-2031-0001")])
    DedupEntry.objects.update(features_version=1)
    assert dedup_reindex(actor=system).advisories_stale == 1
    counts = advisories_import(actor=system, advisories=[advisory("PYSEC-2031-0001")])
    assert (counts.updated, counts.unchanged) == (1, 0)
    assert stale_counts() == {"report": 0, "advisory": 0}


def test_command_reports_stale_entries_and_check_fails_on_them(project: Any, reporter: Any) -> None:
    submit(reporter, REPORTS[0])
    out = StringIO()
    call_command("dedup_reindex", "--check", stdout=out)
    assert "0 report and 0 advisory entries are older" in out.getvalue()
    DedupEntry.objects.update(features_version=1)
    with pytest.raises(SystemExit):
        call_command("dedup_reindex", "--check", stdout=StringIO())
    out = StringIO()
    call_command("dedup_reindex", stdout=out, stderr=StringIO())
    assert "reports: 1 re-extracted, 0 unreadable" in out.getvalue()
    assert stale_counts() == {"report": 0, "advisory": 0}


@pytest.mark.django_db(transaction=True)
def test_command_runs_outside_a_test_transaction(project: Any, reporter: Any) -> None:
    # As an operator runs it: every batch and the audit entry commit on their own.
    submit(reporter, REPORTS[0])
    out = StringIO()
    call_command("dedup_reindex", stdout=out, stderr=StringIO())  # nothing stale: no-op
    assert "reports: 0 re-extracted" in out.getvalue()
    DedupEntry.objects.update(features_version=1)
    call_command("dedup_reindex", stdout=out, stderr=StringIO())
    assert stale_counts() == {"report": 0, "advisory": 0}
    assert AuditEntry.objects.filter(action="dedup.reindex").count() == 1
