"""remediation.0002: the patch's ``canonical`` flag becomes its ``state``, both ways."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from akrites.remediation.models import PatchProposal

BEFORE = [("remediation", "0001_initial")]
AFTER = [("remediation", "0002_patch_state")]


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    """Every app at its latest migration afterwards: migrating back to an old state of one
    app also unapplies the later migrations of the apps it names (access, conversation…),
    which migrating that app forward again does not restore — and the next test of this
    worker would find tables missing."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_canonical_flag_becomes_the_canonical_state_and_back(case, other_case):
    old = _migrate(BEFORE).get_model("remediation", "PatchProposal")
    common = {"author_label": "x", "author_role": "sirt", "title": "t", "diff": "d\n"}
    old.objects.create(public_id="PAT-A", case_id=case.pk, canonical=True, **common)
    old.objects.create(public_id="PAT-B", case_id=case.pk, canonical=False, **common)
    old.objects.create(public_id="PAT-C", case_id=other_case.pk, canonical=False, **common)

    _migrate(AFTER)
    states = dict(PatchProposal.objects.values_list("public_id", "state"))
    assert states == {"PAT-A": "canonical", "PAT-B": "proposed", "PAT-C": "proposed"}
    new = _migrate(AFTER).get_model("remediation", "PatchProposal")
    with pytest.raises(IntegrityError), transaction.atomic():  # the index follows the state
        new.objects.filter(public_id="PAT-B").update(state="canonical")

    back = _migrate(BEFORE).get_model("remediation", "PatchProposal")
    flags = dict(back.objects.values_list("public_id", "canonical"))
    assert flags == {"PAT-A": True, "PAT-B": False, "PAT-C": False}
    _migrate(AFTER)


ONE_INSTANT_BEFORE = [("remediation", "0002_patch_state"), ("access", "0001_initial")]
ONE_INSTANT_AFTER = [("remediation", "0003_one_disclosure_instant")]


@pytest.mark.django_db(transaction=True)
def test_the_remediation_date_moves_into_the_embargo_and_back(notified, maintainer, system):
    from datetime import timedelta

    from akrites.cases.services import case_create
    from akrites.confidentiality.ends import agreed_end, embargo_end
    from akrites.confidentiality.models import Embargo
    from akrites.core.clock import now
    from akrites.remediation.tests.conftest import move_to

    told = [
        move_to(case_create(actor=system, project=notified.project, title=t), "accept",
                "notify_maintainers", actor=system)
        for t in ("chosen", "moved", "target only")
    ]  # fmt: skip
    chosen, moved, target_only = told
    d1, d2, d3 = (now() + timedelta(days=d) for d in (20, 30, 40))
    old = _migrate(ONE_INSTANT_BEFORE)
    record = old.get_model("remediation", "CaseRemediation")
    embargo = old.get_model("access", "Embargo")
    at = notified.maintainers_notified_at
    # No embargo holds the date (kept by remediation alone): it becomes the embargo.
    record.objects.create(case_id=notified.pk, disclosure_at=d1, dates_set_by_id=maintainer.pk)
    # The embargo holds it, chosen by the maintainer.
    embargo.objects.create(
        case_id=chosen.pk, starts_at=at, ends_at=d2, limit_at=d3, chosen_by_id=maintainer.pk
    )
    record.objects.create(case_id=chosen.pk, disclosure_at=d2, dates_set_by_id=maintainer.pk)
    # The embargo moved since (an approved extension): its end stands, and stays agreed.
    embargo.objects.create(case_id=moved.pk, starts_at=at, ends_at=d3, limit_at=d3)
    record.objects.create(case_id=moved.pk, disclosure_at=d1, dates_set_by_id=maintainer.pk)
    record.objects.create(case_id=target_only.pk, target_fix_on=d1.date())

    _migrate(ONE_INSTANT_AFTER)
    created = Embargo.objects.get(case=notified)
    assert (created.starts_at, created.ends_at, created.state) == (at, d1, "active")
    assert created.limit_at >= d1 and created.chosen_by_id == maintainer.pk
    ends = {c.human_id: (embargo_end(c), agreed_end(c)) for c in [notified, *told]}
    assert ends == {
        notified.human_id: (d1, d1),
        chosen.human_id: (d2, d2),
        moved.human_id: (d3, d3),
        target_only.human_id: (embargo_end(target_only), None),
    }
    assert not Embargo.objects.filter(case=target_only).exists()

    back = _migrate(ONE_INSTANT_BEFORE).get_model("remediation", "CaseRemediation")
    dates = dict(back.objects.values_list("case_id", "disclosure_at"))
    assert dates == {notified.pk: d1, chosen.pk: d2, moved.pk: d3, target_only.pk: None}
    _migrate(ONE_INSTANT_AFTER)
