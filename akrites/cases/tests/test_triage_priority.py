"""The queue formula on known inputs, and the queue's order on a fixed set of cases."""

from datetime import timedelta
from decimal import Decimal

import pytest

from akrites.cases.tests.triage_cast import MONDAY, scanner, send
from akrites.cases.triage.priority import PriorityInputs, compute
from akrites.core import clock

V98 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
V61 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"
V100 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H"


def test_formula_by_hand():
    p = compute(
        PriorityInputs(
            assessed_score=Decimal("7.5"),
            proposed_score=Decimal("9.8"),  # ignored: the SIRT's assessment wins
            known_exploited=True,
            criticality=0.8,
            finder_signal=0.6,
            age=timedelta(days=7),
        )
    )
    # 35·0.75 + 25·1 + 15·0.8 + 15·0.6 + 10·(7/14)
    assert p.score == pytest.approx(26.25 + 25 + 12 + 9 + 5)
    assert [c.name for c in p.components] == [
        "severity",
        "exploitation",
        "criticality",
        "finder_signal",
        "age",
    ]
    assert p.components[0].shown == "assessed 7.5" and p.tier == 0


def test_unknowns_are_neutral_and_age_is_capped():
    p = compute(PriorityInputs(None, None, False, None, 0.5, timedelta(days=60)))
    assert p.score == pytest.approx(17.5 + 0 + 7.5 + 7.5 + 10)


def test_unassessed_low_signal_goes_to_the_back_tier():
    low = PriorityInputs(None, Decimal("10.0"), False, None, 0.1, timedelta(0))
    assert compute(low).tier == 1 and "low-signal" in compute(low).tier_reason
    assessed = PriorityInputs(Decimal("10.0"), None, False, None, 0.1, timedelta(0))
    assert compute(assessed).tier == 0


def test_queue_order_on_a_fixed_set(project, reporter, sirt, orgs, system):
    from akrites.cases.triage.selectors import triage_queue
    from akrites.cases.triage.services import case_exploitation_set, case_reject_as_spam

    with clock.frozen(MONDAY):
        bot = scanner(system, orgs["finder"])
        for n in range(4):  # four spam reports: signal 2 / (4 + 8) = 0.17 < 0.25
            case_reject_as_spam(actor=sirt, case=send(bot, f"spam {n}"), reason="spam")
        a = send(reporter, "A: critical", cvss=V98)
        b = send(reporter, "B: medium", cvss=V61)
        c = send(reporter, "C: no vector, exploited")
        d = send(bot, "D: 10.0 from a spammer", cvss=V100)
        case_exploitation_set(actor=sirt, case=c, known_exploited=True, reason="seen in the wild")
        rows = triage_queue(viewer=sirt)
    assert [r.case.human_id for r in rows] == [c.human_id, a.human_id, b.human_id, d.human_id]
    scores = {r.case.human_id: r.priority.score for r in rows}
    # severity + exploitation + criticality (unknown 0.5) + newcomer signal 0.5 + age 0
    assert scores[c.human_id] == pytest.approx(17.5 + 25 + 7.5 + 7.5)
    assert scores[a.human_id] == pytest.approx(34.3 + 7.5 + 7.5)
    assert scores[b.human_id] == pytest.approx(21.35 + 7.5 + 7.5)
    assert scores[d.human_id] == pytest.approx(35 + 7.5 + 15 * 2 / 12, abs=0.01)
    assert rows[-1].priority.tier == 1
    # Nothing is dropped: the low-signal case is still in the queue, and every row explains.
    assert all(len(r.priority.components) == 5 for r in rows)


def test_criticality_of_the_project_counts(project, reporter, sirt, system):
    from akrites.cases.triage.selectors import triage_queue
    from akrites.projects.registry import project_register, registry_row_parse

    row = registry_row_parse({"slug": project.slug, "criticality": {"contributor_count": 5000}})
    project_register(actor=system, row=row)
    with clock.frozen(MONDAY):
        case = send(reporter, "x", cvss=V98)
        (r,) = triage_queue(viewer=sirt)
    assert r.case.pk == case.pk
    assert r.priority.components[2].value == 1.0  # contributor_count at its threshold


def test_queue_is_sirt_only(case, maintainer, reporter):
    from akrites.cases.triage.selectors import triage_queue
    from akrites.core.errors import PermissionDenied

    for who in (maintainer, reporter):
        with pytest.raises(PermissionDenied):
            triage_queue(viewer=who)
