"""Reads for remediation. Visibility is applied inside: a patch the maintainers refused by
their terms (e.g. AI-generated) never reaches them; a contributor sees their own patches.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from akrites.access.policy import (
    DOWNSTREAM,
    OBSERVER,
    SIRT,
    allowed,
    allowed_cases,
    case_roles,
    require,
)
from akrites.cases.models import Case
from akrites.cases.selectors import case_get
from akrites.confidentiality.ends import agreed_end
from akrites.core.actors import Actor, SystemActor
from akrites.core.errors import NotFound
from akrites.projects.models import Project
from akrites.remediation.models import (
    CaseRemediation,
    ContactAttempt,
    PatchProposal,
    PatchState,
    ProjectTerms,
    ReleasePlan,
    ScopeRule,
    Stewardship,
    VersionStatement,
)


def project_terms(project: Project) -> ProjectTerms:
    """The project's terms, or unsaved defaults (patches accepted, AI patches refused)."""
    terms = ProjectTerms.objects.filter(project=project).first()
    return terms if terms is not None else ProjectTerms(project=project)


def forwarded_to_maintainers(patch: PatchProposal, terms: ProjectTerms) -> bool:
    """False for what the maintainers' terms refuse: AI patches, or outside patches at all."""
    if patch.ai_generated and not terms.accepts_ai_patches:
        return False
    return terms.accepts_patches or patch.author_role != "contributor"


def _may_see(
    viewer: Actor, roles: frozenset[str], patch: PatchProposal, terms: ProjectTerms
) -> bool:
    if isinstance(viewer, SystemActor) or SIRT in roles:
        return True
    if patch.author_id is not None and patch.author_id == viewer.pk:
        return True
    # Members told under embargo (accepted terms) read the fix the maintainers chose, not
    # the other proposals (``case.read_patch``).
    if roles & {OBSERVER, DOWNSTREAM} and patch.state == PatchState.CANONICAL:
        return True
    return "maintainer" in roles and forwarded_to_maintainers(patch, terms)


def patch_list(*, viewer: Actor, case: Case) -> list[PatchProposal]:
    """The case's patches this viewer may see, oldest first."""
    require(viewer, "case.view", case)
    roles = case_roles(viewer, case)
    terms = project_terms(case.project)
    patches = PatchProposal.objects.filter(case=case).prefetch_related("reviews")
    return [p for p in patches if _may_see(viewer, roles, p, terms)]


def patch_get(*, viewer: Actor, case: Case, public_id: str) -> PatchProposal:
    """One patch of ``case``; NotFound if it does not exist or the viewer may not see it."""
    require(viewer, "case.view", case)
    patch = PatchProposal.objects.filter(case=case, public_id=public_id).first()
    if patch is None or not _may_see(
        viewer, case_roles(viewer, case), patch, project_terms(case.project)
    ):
        raise NotFound()
    return patch


def canonical_patch(case: Case) -> PatchProposal | None:
    return PatchProposal.objects.filter(case=case, state=PatchState.CANONICAL).first()


def canonical_fixes(*, viewer: Actor, cases: Sequence[Case]) -> dict[int, PatchProposal]:
    """Per case id, the canonical fix of each of ``cases`` whose patches the viewer may read
    (``case.read_patch``); two queries for the list (for the inbox)."""
    readable = allowed_cases(viewer, "case.read_patch", cases)
    if not readable:
        return {}
    fixes = PatchProposal.objects.filter(case_id__in=readable, state=PatchState.CANONICAL)
    return {p.case_id: p for p in fixes}


@dataclass(frozen=True)
class RemediationRoom:
    case: Case
    roles: frozenset[str]
    record: CaseRemediation | None
    # The agreed disclosure instant: the embargo end someone chose (confidentiality's).
    disclosure_at: datetime | None
    statements: list[VersionStatement]
    patches: list[PatchProposal]
    attempts: list[ContactAttempt]
    stewardship: Stewardship | None
    plan: ReleasePlan | None
    terms: ProjectTerms
    may: dict[str, bool] = field(default_factory=dict)


ROOM_ACTIONS = (
    "case.acknowledge",
    "remediation.set_dates",
    "remediation.approve_dates",
    "remediation.statement",
    "remediation.view_ladder",
    "case.add_participant",
    "patch.propose",
    "patch.choose",
    "fix.export",
    "case.remediate",
    "case.steward",
)


def remediation_room(*, viewer: Actor, human_id: str) -> RemediationRoom:
    """Everything of one case's remediation the viewer may see, and what they may do."""
    case = case_get(viewer=viewer, human_id=human_id)
    may = {a.replace(".", "_"): allowed(viewer, a, case) for a in ROOM_ACTIONS}
    stewardship = Stewardship.objects.filter(case=case).first()
    return RemediationRoom(
        case=case,
        roles=case_roles(viewer, case),
        record=CaseRemediation.objects.filter(case=case).first(),
        disclosure_at=agreed_end(case),
        statements=list(VersionStatement.objects.filter(case=case).select_related("package")),
        patches=patch_list(viewer=viewer, case=case),
        attempts=(
            list(ContactAttempt.objects.filter(case=case)) if may["remediation_view_ladder"] else []
        ),
        stewardship=stewardship,
        plan=ReleasePlan.objects.filter(stewardship=stewardship).first() if stewardship else None,
        terms=project_terms(case.project),
        may=may,
    )


@dataclass(frozen=True)
class TermsView:
    project: Project
    terms: ProjectTerms
    channels: list[dict[str, str]]
    rules: list[ScopeRule]
    may_edit: bool
    may_mark_status: bool


def terms_view(*, viewer: Actor, project_slug: str) -> TermsView:
    """A project's terms for its maintainers and the SIRT; NotFound for anyone else."""
    project = Project.objects.filter(slug=project_slug).first()
    if project is None:
        raise NotFound()
    require(viewer, "terms.view", project)
    terms = project_terms(project)
    rules = list(terms.rules.all()) if terms.pk else []
    try:
        channels = json.loads(terms.contact_channels or "[]")
    except ValueError:
        channels = []
    return TermsView(
        project=project,
        terms=terms,
        channels=channels,
        rules=rules,
        may_edit=allowed(viewer, "terms.edit", project),
        may_mark_status=allowed(viewer, "project.mark_status", project),
    )


def in_stewardship(case: Any) -> bool:
    """Whether the SIRT holds ``case`` as maintainer of last resort, not yet handed back
    (provides ``access.facts.in_stewardship``)."""
    return Stewardship.objects.filter(case=case, handed_back_at__isnull=True).exists()
