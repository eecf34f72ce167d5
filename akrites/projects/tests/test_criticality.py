"""The OpenSSF criticality formula on known inputs, computed by hand."""

import math

import pytest

from akrites.core.errors import InvalidInput
from akrites.projects.criticality import INPUTS, criticality_score, validate_inputs

TOTAL_WEIGHT = 1 + 1 + 2 + 1 + 1 + 0.5 + 0.5 + 0.5 + 1 + 2  # 10.5, as in original_pike.yml


def test_weights_and_thresholds_are_upstreams():
    assert sum(i.weight for i in INPUTS) == TOTAL_WEIGHT
    assert {i.name: i.threshold for i in INPUTS}["github_mention_count"] == 500000


def test_everything_at_its_threshold_is_one_and_nothing_is_zero():
    top = {i.name: i.threshold for i in INPUTS} | {"updated_since": 0}
    assert criticality_score(top) == 1.0
    bottom = {i.name: 0.0 for i in INPUTS} | {"updated_since": 120}
    assert criticality_score(bottom) == 0.0


def test_known_inputs_by_hand():
    inputs = {
        "created_since": 60,
        "updated_since": 1,
        "contributor_count": 100,
        "org_count": 20,  # above its threshold: clamped to 10
        "commit_frequency": 5,
        "recent_release_count": 4,
        "updated_issues_count": 50,
        "closed_issues_count": 40,
        "issue_comment_frequency": 2.5,
        "github_mention_count": 1000,
    }
    expected = (
        1 * math.log(61) / math.log(121)
        + 1 * math.log(1 + 119) / math.log(121)  # smaller is better: 120 - 1
        + 2 * math.log(101) / math.log(5001)
        + 1 * 1.0
        + 1 * math.log(6) / math.log(1001)
        + 0.5 * math.log(5) / math.log(27)
        + 0.5 * math.log(51) / math.log(5001)
        + 0.5 * math.log(41) / math.log(5001)
        + 1 * math.log(3.5) / math.log(16)
        + 2 * math.log(1001) / math.log(500001)
    ) / TOTAL_WEIGHT
    assert criticality_score(inputs) == pytest.approx(round(expected, 5))


def test_missing_inputs_are_skipped_with_their_weights():
    assert criticality_score({"contributor_count": 100}) == round(math.log(101) / math.log(5001), 5)
    assert criticality_score({}) is None


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"stars": 5}, "criticality.stars"),
        ({"org_count": "many"}, "criticality.org_count"),
        ({"org_count": -1}, "criticality.org_count"),
        ({"org_count": "nan"}, "criticality.org_count"),
        ({"org_count": True}, "criticality.org_count"),
    ],
)
def test_bad_inputs_name_their_field(raw, field):
    with pytest.raises(InvalidInput) as err:
        validate_inputs(raw)
    assert err.value.field == field


def test_empty_values_are_absent():
    assert validate_inputs({"org_count": "", "created_since": "12"}) == {"created_since": 12.0}
