"""The advisory lifecycle: one state (``Advisory.state``), one table of allowed transitions.

Each transition has a name (one service in ``disclosure.services``), the states it may start
from, the state it leads to, the policy action that guards it, and whether a reason is
required. ``services.transitions.advisory_transition`` refuses anything the table does not
allow and records (old, new, actor, reason). ``docs/advisory-lifecycle.md`` is generated from
this table by ``akrites docs advisory`` so the diagram cannot drift.
"""

from __future__ import annotations

from akrites.core.statemachine import Machine, Transition
from akrites.disclosure.models import AdvisoryState as A


def _t(
    name: str,
    sources: frozenset[str],
    target: str,
    action: str,
    service: str,
    description: str,
    needs_reason: bool = False,
) -> Transition:
    return Transition(name, sources, target, action, description, needs_reason, service=service)


# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    _t("approve", frozenset({A.DRAFT}), A.APPROVED, "advisory.approve",
       "advisory_approve",
       "a SIRT member approves this revision, to go out now or at the disclosure instant"),
    _t("withdraw_approval", frozenset({A.APPROVED}), A.DRAFT,
       "advisory.withdraw_approval", "advisory_withdraw_approval",
       "the approval is withdrawn before publication"),
    _t("void_approval", frozenset({A.APPROVED}), A.DRAFT, "advisory.edit",
       "advisory_update",
       "the draft (or its CVE id) was changed after approval: the approval is void"),
    _t("publish", frozenset({A.APPROVED}), A.PUBLISHED, "advisory.publish",
       "advisory_publish",
       "the approved revision goes public (at once, or by the worker when due)"),
    _t("revise", frozenset({A.PUBLISHED}), A.PUBLISHED, "advisory.revise",
       "advisory_revise", "a new public version; older versions stay retrievable",
       needs_reason=True),
    _t("withdraw", frozenset({A.PUBLISHED}), A.WITHDRAWN, "advisory.withdraw",
       "advisory_withdraw",
       "the advisory is withdrawn (a last version says so); it stays retrievable",
       needs_reason=True),
)
# fmt: on

INITIAL = A.DRAFT
MAX_REASON = 1000
MACHINE = Machine(
    name="advisory",
    title="Advisory lifecycle",
    table="akrites/disclosure/lifecycle.py",
    doc="advisory-lifecycle.md",
    initial=INITIAL,
    transitions=TRANSITIONS,
    finals=frozenset({A.WITHDRAWN}),
    notes=(
        "Saving a draft never publishes it. Only an approval does: it names the revision "
        "approved (and a digest of the content and CVE id) and when it may go out — now, or "
        "at the disclosure instant (the embargo end, or `disclose_at` for a case without "
        "embargo, read when the worker runs).",
        "`advisory.approve`, `advisory.revise` and `advisory.withdraw` need a fresh "
        "second factor (`STEP_UP_ACTIONS`); API tokens cannot perform them.",
        "Changing the content or the CVE id of an approved draft voids the approval "
        "(`void_approval`, audited as `advisory.void_approval`).",
        f"The worker (`publish_due`, every minute) publishes only `{A.APPROVED}` advisories "
        "whose approved revision is unchanged and whose time has come, each exactly once: "
        "the row is locked and claimed with a conditional UPDATE, so a second worker finds "
        "it published.",
        "Each published version's signed documents stay at "
        "`/advisories/<id>/v/<n>/<file>`; the latest is also at `/advisories/<id>/<file>` "
        "and in the CSAF provider directory.",
        f"Reasons are at most {MAX_REASON} characters; they are stored with the transition "
        "(encrypted) and, for a revision or withdrawal, published in the documents; never "
        "logged.",
    ),
)
BY_NAME: dict[str, Transition] = MACHINE.by_name


def markdown_document() -> str:
    return MACHINE.markdown()
