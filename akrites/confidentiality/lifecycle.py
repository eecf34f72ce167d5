"""The embargo's two transition tables: the embargo's state and the state of a change to it.

``Embargo.state`` changes only through ``services.transitions.embargo_transition`` and
``EmbargoChange.status`` only through ``services.transitions.change_transition``; each refuses
what its table does not allow, and the model guard (``core.stateguard``) refuses any other
write of either field. ``docs/embargo-lifecycle.md`` and ``docs/embargo-change-lifecycle.md``
are generated from these tables by ``akrites docs embargo`` / ``akrites docs embargo-change``.
"""

from __future__ import annotations

from akrites.confidentiality.models import ChangeKind as K
from akrites.confidentiality.models import ChangeStatus as C
from akrites.confidentiality.models import EmbargoState as E
from akrites.core.statemachine import Machine, Transition

MAX_REASON = 5000

# fmt: off
EMBARGO_TRANSITIONS: tuple[Transition, ...] = (
    Transition("lift", frozenset({E.ACTIVE}), E.LIFTED, "embargo.lift_approve",
               "a second person approves a proposed early lift: the embargo ends now",
               service="embargo_lift_approve"),
    Transition("break", frozenset({E.ACTIVE, E.LIFTED}), E.BROKEN, "case.break_embargo",
               "a leak or exploitation in the wild: the case is disclosed at once and the "
               "embargo ends now", needs_reason=True, service="embargo_break"),
)

CHANGE_TRANSITIONS: tuple[Transition, ...] = (
    Transition("approve_extension", frozenset({C.PENDING}), C.APPROVED,
               "embargo.approve_extension",
               "the SIRT grants a later end: the embargo ends at the instant asked for (the "
               "limit rises to it)",
               service="embargo_decide_extension"),
    Transition("reject_extension", frozenset({C.PENDING}), C.REJECTED,
               "embargo.approve_extension", "the SIRT refuses the extension; nothing moves",
               service="embargo_decide_extension"),
    Transition("approve_lift", frozenset({C.PENDING}), C.APPROVED, "embargo.lift_approve",
               "a second person agrees to lift early: the embargo runs its `lift`",
               service="embargo_lift_approve"),
)
# fmt: on

# The kind of change each change transition applies to; any other pairing is refused.
CHANGE_KIND: dict[str, str] = {
    "approve_extension": K.EXTEND,
    "reject_extension": K.EXTEND,
    "approve_lift": K.LIFT,
}

EMBARGO = Machine(
    name="embargo",
    title="Embargo lifecycle",
    table="akrites/confidentiality/lifecycle.py",
    doc="embargo-lifecycle.md",
    initial=E.ACTIVE,
    transitions=EMBARGO_TRANSITIONS,
    finals=frozenset({E.BROKEN}),
    notes=(
        "One embargo per case, one instant in UTC (`ends_at`). Before anything is stored, a "
        "notified case's embargo is the policy default (from the maintainers' notification, "
        "`AKRITES_EMBARGO_DAYS`, never ending on a weekend), `active`; the first write "
        "stores it `active` (`locked_embargo`, which locks the row for the service).",
        "Changing the date does not change the state. `embargo_set_date` (`embargo.set_date`: "
        "the maintainers or the SIRT, in the future, within `limit_at`, not on a weekend "
        "unless asked) and an early-lift proposal are refused once the embargo is not "
        '`active` ("the embargo has ended"). An approved extension sets `ends_at` (and '
        "raises `limit_at`) to the instant asked for, and `embargo_mark_exploited` "
        "(`embargo.mark_exploited`, the SIRT) cuts both to `AKRITES_EMBARGO_EXPLOITED_DAYS` "
        "from the start (not before now); those two do not look at the state. The policy "
        "refuses people every `embargo.*` action once the case is disclosed.",
        "`lift` happens only when a second person approves a pending early lift (see "
        "`docs/embargo-change-lifecycle.md`); the proposer cannot approve it.",
        "`break` runs the case's `break_embargo` transition first (it records the reason, "
        "encrypted, and its `case.break_embargo` event tells every participant after "
        "commit); a case with no stored embargo gets one, `broken`. An embargo lifted early "
        "can still be broken before the case is disclosed.",
        "Both transitions end the embargo at the instant they run and are audited as "
        "`embargo.<transition>` in the same transaction. `embargo.lift_approve` and "
        "`case.break_embargo` need a fresh second factor (`STEP_UP_ACTIONS`); API tokens "
        "cannot perform them.",
    ),
)

CHANGE = Machine(
    name="embargo-change",
    title="Embargo change lifecycle",
    table="akrites/confidentiality/lifecycle.py",
    doc="embargo-change-lifecycle.md",
    initial=C.PENDING,
    transitions=CHANGE_TRANSITIONS,
    finals=frozenset({C.APPROVED, C.REJECTED}),
    notes=(
        "A change is created `pending`: an extension (`extend`) by "
        "`embargo_request_extension` (`embargo.request_extension`: the maintainers or the "
        "SIRT; a later end than the current one, with a reason), an early lift (`lift`) by "
        "`embargo_lift_propose` (`embargo.lift_propose`; only while the embargo is `active`, "
        "one pending lift at a time).",
        "`approve_extension` and `reject_extension` apply to an extension, `approve_lift` to "
        "an early lift; another pairing, or a change that is no longer pending, is refused "
        '(Conflict "this change is not pending") and changes nothing.',
        "Two people: whoever decides is not whoever proposed (PermissionDenied). Extensions "
        "are decided by the SIRT; an early lift is approved by a maintainer or the SIRT.",
        "No transition refuses or withdraws an early lift: a proposal stays `pending` until "
        "it is approved.",
        "The change and the embargo rows are locked for the decision; it is audited by the "
        "embargo's entry, which names the change (`embargo.decide_extension`, "
        "`embargo.lift`). `embargo.lift_propose` and `embargo.lift_approve` need a fresh "
        "second factor.",
        f"Reasons are at most {MAX_REASON} characters, stored encrypted and never logged.",
    ),
)

MACHINES: tuple[Machine, ...] = (EMBARGO, CHANGE)
