"""The patch proposal lifecycle: one state (``PatchProposal.state``), one table of transitions.

A patch is created ``proposed`` by ``patch_propose`` and changes state only through
``services.transitions.patch_transition``, which refuses what this table does not allow and
records the change in the case timeline and the audit chain. ``docs/patch-lifecycle.md`` is
generated from this table by ``akrites docs patch`` so the diagram cannot drift.
"""

from __future__ import annotations

from akrites.cases.models import Visibility as V
from akrites.core.statemachine import Machine, Transition
from akrites.remediation.models import PatchState as P

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "choose",
        frozenset({P.PROPOSED}),
        P.CANONICAL,
        "patch.choose",
        "the patch becomes the case's one canonical fix (exported with `git format-patch`)",
        visibility=V.PARTICIPANTS,
        service="patch_choose",
    ),
)

INITIAL = P.PROPOSED
MACHINE = Machine(
    name="patch",
    title="Patch proposal lifecycle",
    table="akrites/remediation/lifecycle.py",
    doc="patch-lifecycle.md",
    initial=INITIAL,
    transitions=TRANSITIONS,
    finals=frozenset({P.CANONICAL}),
    notes=(
        "Every patch starts `proposed` (`patch_propose`: anyone who may see the case, from "
        "`triage` through `fixing`); reviews and comments do not change its state.",
        "`patch.choose` is the maintainers', or the SIRT lead's only as maintainer of last "
        "resort (a project without a team, or a case under SIRT stewardship not yet handed "
        "back).",
        "`choose` also needs: no other canonical fix on the case, an apply check other than "
        "`does_not_apply`, and a case that is `fixing` (one still `acknowledged` or in "
        "`stewardship` runs the case's `start_fix` first).",
        "At most one patch per case is `canonical`: the case row is locked, the state is "
        "claimed with a conditional UPDATE inside the table's function, and a partial unique "
        "index (`patch_one_canonical_per_case`) refuses a second one on both databases.",
        "Nothing leaves `canonical`: the case's `mark_fix_ready` needs it, and the fix "
        "export (`fix.mbox`, `fix.patch`) serves it.",
    ),
)
