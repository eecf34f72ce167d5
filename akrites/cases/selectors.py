"""Reads for cases. Visibility is applied inside, so no caller can forget it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from akrites.access.policy import allowed, case_roles, require
from akrites.cases.lifecycle import allowed_from
from akrites.cases.models import Case, TimelineEntry
from akrites.cases.parties import timeline_visibilities, visible_cases
from akrites.cases.reads import record_denied
from akrites.core.actors import Actor
from akrites.core.errors import NotFound
from akrites.core.statemachine import Transition
from akrites.projects.models import Project


def case_list(
    *,
    viewer: Actor,
    status: str | None = None,
    limit: int = 100,
    statuses: Collection[str] | None = None,
    q: str | None = None,
    before: str | None = None,
) -> list[Case]:
    """The newest cases the viewer may see, in ``status`` (or any of ``statuses``) if given.

    ``q`` narrows to a search (``case_search``); ``before`` (a case id the viewer may see,
    else NotFound) pages to older cases. Pages are index ranges on ``created_at`` whatever the
    table size; the summary is not loaded (a list shows titles only).
    """
    qs: QuerySet[Case] = visible_cases(viewer).select_related("project", "package")
    if status:
        qs = qs.filter(status=status)
    if statuses is not None:
        qs = qs.filter(status__in=list(statuses))
    if q:
        qs = qs.filter(case_search(q))
    if before:
        anchor = visible_cases(viewer).filter(human_id=before).values_list("created_at", "id")
        found = anchor.first()
        if found is None:
            raise NotFound()
        qs = qs.filter(created_at__lte=found[0]).exclude(created_at=found[0], id__gte=found[1])
    page = qs.defer("summary").order_by("-created_at", "-id")
    return list(page[: max(1, min(limit, 500))])


MAX_SEARCH_PROJECTS = 200  # a name fragment shared by more projects searches the first 200


def case_search(q: str) -> Q:
    """What a coordinator types into the search box, as a filter on identifiers only.

    Titles and report text are encrypted at rest and are not searched. A case id
    (``AKR-…``), a report id (``RPT-…``), a CVE id, a package URL (``pkg:…``), else a
    project's slug or a part of its name (at most ``MAX_SEARCH_PROJECTS`` projects, by name).
    """
    term = q.strip()[:200]
    upper = term.upper()
    if upper.startswith("AKR-"):
        return Q(human_id=upper)
    if upper.startswith("RPT-"):
        return Q(pk__in=Case.objects.filter(reports__public_id=upper).values("pk"))
    if upper.startswith("CVE-"):
        return Q(advisory__cve_id=upper)
    if term.lower().startswith("pkg:"):
        return Q(package__purl=term)
    # Project ids as values, not a sub-select: the planner then sees which projects (and how
    # many cases they hold) and can walk the right index newest-first instead of sorting.
    matches = Project.objects.filter(Q(slug=term.lower()) | Q(name__icontains=term))
    ids = list(matches.order_by("name").values_list("pk", flat=True)[:MAX_SEARCH_PROJECTS])
    return Q(project_id__in=ids)


def case_get(*, viewer: Actor, human_id: str) -> Case:
    """The case with this id, or NotFound if it does not exist or the viewer may not see it."""
    try:
        case = Case.objects.select_related("project", "package").get(human_id=human_id)
    except Case.DoesNotExist:
        raise NotFound() from None
    if not allowed(viewer, "case.view", case):
        # Same NotFound as a missing case, but the attempt is audited (deduplicated).
        record_denied(viewer=viewer, case=case)
        raise NotFound()
    return case


def case_timeline(*, viewer: Actor, case: Case) -> list[TimelineEntry]:
    require(viewer, "case.view", case)
    kinds = timeline_visibilities(case_roles(viewer, case))
    return list(case.timeline.filter(visibility__in=kinds).order_by("at", "id"))


@dataclass(frozen=True)
class CaseView:
    case: Case
    roles: frozenset[str]
    timeline: list[TimelineEntry]
    actions: list[Transition]


def case_room(*, viewer: Actor, human_id: str) -> CaseView:
    """Everything the viewer may see of one case, and the transitions they may perform."""
    case = case_get(viewer=viewer, human_id=human_id)
    roles = case_roles(viewer, case)
    actions = [t for t in allowed_from(case.status) if allowed(viewer, t.action, case)]
    return CaseView(
        case=case, roles=roles, timeline=case_timeline(viewer=viewer, case=case), actions=actions
    )
