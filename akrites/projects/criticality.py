"""The OpenSSF criticality score (Rob Pike's algorithm), from imported inputs.

The formula and the inputs are those of ``ossf/criticality_score``'s ``original_pike``
configuration (its weighted arithmetic mean with "zipfian" normalisation):

    n_i = log(1 + v_i) / log(1 + T_i)       v_i clamped to [0, T_i]; for an input where
                                             smaller is better, v_i is replaced by T_i - v_i
    score = Σ w_i · n_i / Σ w_i              over the inputs present (absent ones are skipped)

Inputs (field, weight, threshold T): ``INPUTS`` below; docs/triage.md explains each and how
to import them (``akrites import-projects``). The score lies in [0, 1]; 5 decimals are kept,
as upstream does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from akrites.core.errors import InvalidInput


@dataclass(frozen=True)
class Input:
    name: str
    weight: float
    threshold: float
    description: str
    smaller_is_better: bool = False

    def normalise(self, value: float) -> float:
        v = min(max(value, 0.0), self.threshold)
        if self.smaller_is_better:
            v = self.threshold - v
        return math.log1p(v) / math.log1p(self.threshold)


INPUTS: tuple[Input, ...] = (
    Input("created_since", 1, 120, "months since the project was created"),
    Input("updated_since", 1, 120, "months since the last commit", smaller_is_better=True),
    Input("contributor_count", 2, 5000, "distinct contributors"),
    Input("org_count", 1, 10, "distinct organisations of the contributors"),
    Input("commit_frequency", 1, 1000, "average commits per week over the last year"),
    Input("recent_release_count", 0.5, 26, "releases in the last year"),
    Input("updated_issues_count", 0.5, 5000, "issues updated in the last 90 days"),
    Input("closed_issues_count", 0.5, 5000, "issues closed in the last 90 days"),
    Input("issue_comment_frequency", 1, 15, "average comments per issue, last 90 days"),
    Input("github_mention_count", 2, 500000, "mentions in commit messages (dependents proxy)"),
)
BY_NAME: dict[str, Input] = {i.name: i for i in INPUTS}


def validate_inputs(raw: Mapping[str, object], *, prefix: str = "criticality") -> dict[str, float]:
    """Check imported inputs: known names, finite numbers ≥ 0. Empty values are absent.

    Raises ``InvalidInput(f"{prefix}.{name}")`` for the first bad one.
    """
    clean: dict[str, float] = {}
    for name, value in raw.items():
        if name not in BY_NAME:
            raise InvalidInput(f"{prefix}.{name}", "unknown criticality input")
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            raise InvalidInput(f"{prefix}.{name}", "must be a number")
        try:
            number = float(str(value))
        except ValueError:
            raise InvalidInput(f"{prefix}.{name}", "must be a number") from None
        if not math.isfinite(number) or number < 0:
            raise InvalidInput(f"{prefix}.{name}", "must be a finite number ≥ 0")
        clean[name] = number
    return clean


def criticality_score(inputs: Mapping[str, float]) -> float | None:
    """The weighted mean over the inputs present; None when there are none."""
    present = [(BY_NAME[name], value) for name, value in inputs.items() if name in BY_NAME]
    if not present:
        return None
    total = sum(i.weight for i, _ in present)
    return round(sum(i.weight * i.normalise(v) for i, v in present) / total, 5)


def breakdown(inputs: Mapping[str, float]) -> list[tuple[Input, float | None, float | None]]:
    """(input, raw value, normalised value) for every input, for display."""
    return [
        (i, inputs.get(i.name), i.normalise(inputs[i.name]) if i.name in inputs else None)
        for i in INPUTS
    ]
