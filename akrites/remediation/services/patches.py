"""Private patch collaboration: propose, review, choose the one canonical fix, fix ready.

``patch_propose`` runs git (a shallow clone) *before* its transaction, so a slow clone never
holds the database's write lock; everything it writes happens in one short transaction.
"""

from __future__ import annotations

import re

from django.db import transaction

from akrites.access.policy import MAINTAINER, SIRT, case_roles, require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import audit_append
from akrites.cases.lifecycle import BEFORE_FIX_READY, BY_NAME
from akrites.cases.models import Case, Status, Visibility
from akrites.cases.services import case_transition, timeline_record
from akrites.core.actors import Actor, SystemActor
from akrites.core.errors import Conflict, InvalidInput
from akrites.remediation.conf import remediation_policy
from akrites.remediation.models import (
    ApplyCheck,
    PatchProposal,
    PatchReview,
    PatchState,
    ReviewVerdict,
)
from akrites.remediation.selectors import forwarded_to_maintainers, patch_get, project_terms
from akrites.remediation.services._common import (
    label,
    lock_case,
    notify_event,
)
from akrites.remediation.services.diffs import check_against_repository, parse_diff
from akrites.remediation.services.transitions import patch_transition

_CREDIT = re.compile(r"[^<>\n]{1,100} <[^<>\s@]+@[^<>\s@]+>")
MAX_MESSAGE = 20_000


def _author_role(actor: Actor, roles: frozenset[str]) -> str:
    if isinstance(actor, SystemActor) or SIRT in roles:
        return "sirt"
    return "maintainer" if MAINTAINER in roles else "contributor"


def _co_developers(value: str) -> str:
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    for line in lines:
        if not _CREDIT.fullmatch(line):
            raise InvalidInput("co_developers", "one 'Name <email>' per line")
    return "\n".join(lines)


def patch_propose(
    *,
    actor: Actor,
    case: Case,
    title: str,
    diff: str,
    message: str = "",
    ai_generated: bool = False,
    co_developers: str = "",
) -> PatchProposal:
    """Propose a fix for ``case`` as a unified diff.

    Anyone who may see the case may propose. The diff is parsed with unidiff (InvalidInput
    when it is not a diff); when the project configures a repository, it is checked there
    (InvalidInput when it changes files the repository does not have; a diff that does not
    apply is kept, marked ``does_not_apply``, and cannot become canonical). A patch the
    maintainers' terms refuse (AI-generated, or any outside patch) is kept for the SIRT and its
    author and never shown to the maintainers.
    """
    require(actor, "patch.propose", case)
    if case.status not in BEFORE_FIX_READY:  # a patch is proposed until the fix is ready
        raise Conflict(f"patches cannot be proposed on a case that is {case.status}")
    title = title.strip()
    if not title or len(title) > 200 or "\n" in title:
        raise InvalidInput("title", "one line of 1 to 200 characters")
    message = message.strip()
    if len(message) > MAX_MESSAGE:
        raise InvalidInput("message", f"at most {MAX_MESSAGE} characters")
    credits = _co_developers(co_developers)
    policy = remediation_policy()
    parsed = parse_diff(diff, max_bytes=policy.max_diff_bytes)
    terms = project_terms(case.project)
    check: str = ApplyCheck.UNCHECKED
    output = ""
    if terms.repository:
        check, output = check_against_repository(
            repository=terms.repository,
            diff=diff,
            parsed=parsed,
            timeout=policy.git_timeout_seconds,
        )
    with transaction.atomic():
        locked = lock_case(case)
        if locked.status not in BEFORE_FIX_READY:  # a patch is proposed until the fix is ready
            raise Conflict(f"patches cannot be proposed on a case that is {locked.status}")
        patch = PatchProposal.objects.create(
            case=locked,
            author=user_or_none(actor),
            author_label=label(actor),
            author_role=_author_role(actor, case_roles(actor, locked)),
            title=title,
            message=message,
            diff=diff if diff.endswith("\n") else diff + "\n",
            co_developers=credits,
            ai_generated=ai_generated,
            files_changed=len(parsed.paths),
            lines_added=parsed.added,
            lines_removed=parsed.removed,
            apply_check=check,
            apply_output=output,
        )
        forwarded = forwarded_to_maintainers(patch, terms)
        timeline_record(
            case=locked,
            actor=actor,
            kind="patch_proposed",
            visibility=Visibility.MAINTAINERS if forwarded else Visibility.SIRT,
            reason=f"{patch.public_id} proposed ({check})",
        )
        audit_append(
            actor=actor,
            action="patch.propose",
            object_type="patch",
            object_id=patch.public_id,
            data={
                "case": locked.human_id,
                "ai_generated": ai_generated,
                "apply_check": check,
                "forwarded": forwarded,
            },
        )
        if forwarded:
            notify_event(
                "remediation.patch_proposed",
                case=locked,
                actor=actor,
                data={"patch": patch.public_id},
            )
    return patch


@transaction.atomic
def patch_review(
    *, actor: Actor, case: Case, patch_id: str, verdict: str, body: str = ""
) -> PatchReview:
    """Review or comment on a patch the actor can see (NotFound otherwise)."""
    require(actor, "patch.review", case)
    patch = patch_get(viewer=actor, case=case, public_id=patch_id)
    if verdict not in ReviewVerdict.values:
        raise InvalidInput("verdict", f"one of {', '.join(ReviewVerdict.values)}")
    body = body.strip()
    if verdict != ReviewVerdict.APPROVE and not body:
        raise InvalidInput("body", "say what you think")
    if len(body) > MAX_MESSAGE:
        raise InvalidInput("body", f"at most {MAX_MESSAGE} characters")
    review = PatchReview.objects.create(
        patch=patch,
        reviewer=user_or_none(actor),
        reviewer_label=label(actor),
        verdict=verdict,
        body=body,
    )
    audit_append(
        actor=actor,
        action="patch.review",
        object_type="patch",
        object_id=patch.public_id,
        data={"case": case.human_id, "verdict": verdict},
    )
    return review


@transaction.atomic
def patch_choose(*, actor: Actor, case: Case, patch_id: str, reason: str = "") -> PatchProposal:
    """Make ``patch_id`` the one canonical fix of ``case``.

    The maintainers choose (the SIRT lead only during stewardship). Raises Conflict when a
    canonical fix is already chosen — also enforced by a partial unique index — or when the
    patch does not apply to the repository; a case still ``acknowledged`` or in
    ``stewardship`` moves to ``fixing`` first. The patch's state changes through
    ``patch_transition`` (the table in ``remediation.lifecycle``).
    """
    require(actor, "patch.choose", case)
    locked = lock_case(case)
    patch = patch_get(viewer=actor, case=locked, public_id=patch_id)
    existing = PatchProposal.objects.filter(case=locked, state=PatchState.CANONICAL).first()
    if existing is not None:
        raise Conflict(f"{existing.public_id} is already the canonical fix of this case")
    if patch.apply_check == ApplyCheck.DOES_NOT_APPLY:
        raise Conflict("this patch does not apply to the repository; it cannot be canonical")
    if locked.status in BY_NAME["start_fix"].sources:
        locked = case_transition(actor=actor, case=locked, name="start_fix")
    elif locked.status != Status.FIXING:
        raise Conflict(f"the canonical fix is chosen while fixing; the case is {locked.status}")
    return patch_transition(actor=actor, case=locked, patch=patch, name="choose", reason=reason)


@transaction.atomic
def fix_mark_ready(*, actor: Actor, case: Case, reason: str = "") -> Case:
    """The canonical fix is ready (``mark_fix_ready``); Conflict if none was chosen."""
    require(actor, "case.remediate", case)
    if not PatchProposal.objects.filter(case=case, state=PatchState.CANONICAL).exists():
        raise Conflict("choose the canonical fix first")
    return case_transition(actor=actor, case=case, name="mark_fix_ready", reason=reason)
