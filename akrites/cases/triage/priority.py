"""The SIRT queue's priority formula: explainable, documented in docs/triage.md.

    score = 35·S + 25·E + 15·C + 15·F + 10·A          (0 … 100)

S severity: CVSS base score / 10 — the SIRT's assessment when there is one, otherwise the
  reporter's proposal; 0.5 (a medium) when neither exists.
E exploitation evidence: 1 when the SIRT marked the case known exploited, else 0.
C package criticality: the project's OpenSSF criticality score (0 … 1); 0.5 when unknown.
F finder signal: the best Beta-smoothed track record among the case's senders (0 … 1).
A age: time in the queue / 14 days, capped at 1 (10 business days ≈ 14 calendar days, the
  initial-assessment SLA), so nothing waits forever behind newer, louder reports.

Ordering: tier first, then score (highest first), then arrival (oldest first). Tier 1 holds
cases the SIRT has not assessed whose best sender signal is below ``LOW_SIGNAL``: they are
queued behind everything else (never dropped); assessing a case lifts it out of tier 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

WEIGHTS: dict[str, float] = {
    "severity": 35.0,
    "exploitation": 25.0,
    "criticality": 15.0,
    "finder_signal": 15.0,
    "age": 10.0,
}
UNKNOWN_SEVERITY = 0.5
UNKNOWN_CRITICALITY = 0.5
AGE_FULL = timedelta(days=14)
LOW_SIGNAL = 0.25


@dataclass(frozen=True)
class PriorityInputs:
    assessed_score: Decimal | None
    proposed_score: Decimal | None
    known_exploited: bool
    criticality: float | None
    finder_signal: float
    age: timedelta


@dataclass(frozen=True)
class Component:
    """One term of the formula: its input as shown to people, normalised value, weight and
    the points it contributes (``value * weight``)."""

    name: str
    shown: str
    value: float
    weight: float

    @property
    def points(self) -> float:
        return round(self.value * self.weight, 2)


@dataclass(frozen=True)
class Priority:
    score: float
    tier: int
    components: tuple[Component, ...]
    tier_reason: str


def compute(inputs: PriorityInputs) -> Priority:
    """Score one case. Pure: the same inputs always give the same answer."""
    if inputs.assessed_score is not None:
        sev, sev_shown = float(inputs.assessed_score) / 10, f"assessed {inputs.assessed_score}"
    elif inputs.proposed_score is not None:
        sev, sev_shown = float(inputs.proposed_score) / 10, f"proposed {inputs.proposed_score}"
    else:
        sev, sev_shown = UNKNOWN_SEVERITY, "no vector (assumed 5.0)"
    if inputs.criticality is None:
        crit, crit_shown = UNKNOWN_CRITICALITY, "unknown (assumed 0.5)"
    else:
        crit = min(1.0, max(0.0, inputs.criticality))
        crit_shown = f"{crit:.3f}"
    age = min(1.0, max(0.0, inputs.age / AGE_FULL))
    days = inputs.age.total_seconds() / 86400
    signal = min(1.0, max(0.0, inputs.finder_signal))
    components = (
        Component("severity", sev_shown, sev, WEIGHTS["severity"]),
        Component(
            "exploitation",
            "known exploited" if inputs.known_exploited else "no evidence",
            1.0 if inputs.known_exploited else 0.0,
            WEIGHTS["exploitation"],
        ),
        Component("criticality", crit_shown, crit, WEIGHTS["criticality"]),
        Component("finder_signal", f"{signal:.2f}", signal, WEIGHTS["finder_signal"]),
        Component("age", f"{days:.1f} days", age, WEIGHTS["age"]),
    )
    score = round(sum(c.value * c.weight for c in components), 2)
    unassessed = inputs.assessed_score is None and not inputs.known_exploited
    if unassessed and signal < LOW_SIGNAL:
        return Priority(score, 1, components, f"low-signal sender ({signal:.2f} < {LOW_SIGNAL})")
    return Priority(score, 0, components, "")
