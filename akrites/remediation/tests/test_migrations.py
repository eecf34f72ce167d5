"""remediation.0002: the patch's ``canonical`` flag becomes its ``state``, both ways."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from akrites.remediation.models import PatchProposal

BEFORE = [("remediation", "0001_initial")]
AFTER = [("remediation", "0002_patch_state")]


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
