"""The one place that answers "may this actor do this action to this object".

Deny by default: an action missing from ``RULES`` is refused. Services call ``require`` as
their first statement; selectors filter with ``visible_cases``. An actor who may not even
see an object gets ``NotFound`` — the same answer as for an object that does not exist —
so ids cannot be probed; an actor who can see it but not act gets ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from akrites.cases.models import Case, CaseParticipant, ParticipantRole, Visibility
from akrites.core.actors import SystemActor
from akrites.core.clock import now
from akrites.core.errors import NotFound, PermissionDenied
from akrites.orgs.models import SIRT_ROLES, Membership, Role

# Case-level roles an actor can hold.
SIRT = "sirt"
SIRT_LEAD = "sirt_lead"
MAINTAINER = "maintainer"
REPORTER = "reporter"
OBSERVER = "observer"
DOWNSTREAM = "downstream"

CASE_VIEWERS = frozenset({SIRT, MAINTAINER, REPORTER, OBSERVER, DOWNSTREAM})


def _authenticated(actor: Any) -> bool:
    return (
        actor is not None
        and bool(getattr(actor, "is_authenticated", False))
        and bool(getattr(actor, "is_active", False))
    )


def org_roles(actor: Any) -> frozenset[tuple[int, str]]:
    """(organisation id, role) pairs of the actor, cached on the user object per request."""
    if not _authenticated(actor):
        return frozenset()
    cached: frozenset[tuple[int, str]] | None = getattr(actor, "_akrites_org_roles", None)
    if cached is None:
        cached = frozenset(
            Membership.objects.filter(user=actor).values_list("organisation_id", "role")
        )
        actor._akrites_org_roles = cached
    return cached


def is_sirt(actor: Any) -> bool:
    return any(role in SIRT_ROLES for _, role in org_roles(actor))


def is_sirt_lead(actor: Any) -> bool:
    return any(role == Role.SIRT_LEAD for _, role in org_roles(actor))


_PARTICIPANT_ROLES: dict[str, str] = {
    ParticipantRole.REPORTER: REPORTER,
    ParticipantRole.MAINTAINER: MAINTAINER,
    ParticipantRole.OBSERVER: OBSERVER,
    ParticipantRole.DOWNSTREAM: DOWNSTREAM,
}


def _active_participation() -> Q:
    t = now()
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=t))


def case_roles(actor: Any, case: Case) -> frozenset[str]:
    """Every role ``actor`` holds on ``case`` right now."""
    if not _authenticated(actor):
        return frozenset()
    roles: set[str] = set()
    if is_sirt(actor):
        roles.add(SIRT)
    if is_sirt_lead(actor):
        roles.add(SIRT_LEAD)
    if case.project.team_id is not None and (case.project.team_id, Role.MAINTAINER) in org_roles(
        actor
    ):
        roles.add(MAINTAINER)
    participations = CaseParticipant.objects.filter(
        _active_participation(), case=case, user=actor
    ).values_list("role", flat=True)
    # A coordinator participation grants nothing by itself: SIRT power comes from membership,
    # so a departed coordinator loses access with their membership.
    roles.update(_PARTICIPANT_ROLES[r] for r in participations if r in _PARTICIPANT_ROLES)
    if case.reports.filter(reporter=actor).exists():
        roles.add(REPORTER)
    return frozenset(roles)


CaseRule = Callable[[frozenset[str], Case], bool]
GlobalRule = Callable[[Any], bool]


def _any_of(*wanted: str) -> CaseRule:
    allowed = frozenset(wanted)
    return lambda roles, case: bool(roles & allowed)


CASE_RULES: dict[str, CaseRule] = {
    "case.view": _any_of(*CASE_VIEWERS),
    "case.triage": _any_of(SIRT),
    "case.coordinate": _any_of(SIRT),
    "case.acknowledge": _any_of(MAINTAINER),
    "case.remediate": _any_of(MAINTAINER, SIRT),
    "case.steward": _any_of(SIRT_LEAD),
    "case.prenotify": _any_of(MAINTAINER, SIRT),
    "case.disclose": _any_of(SIRT),
    "case.break_embargo": _any_of(SIRT),
    "case.add_participant": _any_of(SIRT, MAINTAINER),
    "case.view_reports": _any_of(SIRT, MAINTAINER),
}

UserRule = Callable[[Any, Any], bool]


def _manages_account(actor: Any, user: Any) -> bool:
    """The account holder, the SIRT lead, or a scanner operator of the scanner's owner org."""
    if not _authenticated(actor):
        return False
    if actor.pk == user.pk or is_sirt_lead(actor):
        return True
    owner = getattr(user, "owner_org_id", None)
    return owner is not None and (owner, Role.SCANNER_OPERATOR) in org_roles(actor)


USER_RULES: dict[str, UserRule] = {
    "token.issue": _manages_account,
}


def _may_view_report(actor: Any, report: Any) -> bool:
    if not _authenticated(actor):
        return False
    if report.reporter_id is not None and report.reporter_id == actor.pk:
        return True
    if is_sirt(actor):
        return True
    case = report.case
    return case is not None and CASE_RULES["case.view_reports"](case_roles(actor, case), case)


REPORT_RULES: dict[str, UserRule] = {
    "report.view": _may_view_report,
}

GLOBAL_RULES: dict[str, GlobalRule] = {
    "org.create": is_sirt_lead,
    "org.add_member": is_sirt_lead,
    "project.create": is_sirt,
    "package.add": is_sirt,
    "case.create": is_sirt,
    "queue.view": is_sirt,
    "audit.verify": is_sirt,
    "admin.access": is_sirt,
    "report.submit": _authenticated,
    "report.view_own": _authenticated,
    # The public web form: anyone may report (with a contact address), rate-limited by intake.
    "report.submit_anonymous": lambda actor: True,
    "inbox.view": _authenticated,
}

ACTIONS = (
    frozenset(CASE_RULES)
    | frozenset(USER_RULES)
    | frozenset(REPORT_RULES)
    | frozenset(GLOBAL_RULES)
)

# What an API token may do at all, by scope. A token-authenticated request carries its scopes
# on the user object (``_akrites_token_scopes``); any action not listed for one of them is
# refused, so a new action is closed to tokens until it is added here.
TOKEN_SCOPE_ACTIONS: dict[str, frozenset[str]] = {
    "read": frozenset({"case.view", "inbox.view", "report.view_own", "report.view"}),
    "submit": frozenset({"report.submit", "report.view_own", "report.view"}),
}


def _token_allows(actor: Any, action: str) -> bool:
    scopes: frozenset[str] | None = getattr(actor, "_akrites_token_scopes", None)
    if scopes is None:
        return True
    return any(action in TOKEN_SCOPE_ACTIONS.get(scope, frozenset()) for scope in scopes)


def allowed(actor: Any, action: str, obj: Any = None) -> bool:
    """True if ``actor`` may perform ``action`` (on ``obj``). Unknown actions are denied.

    A ``SystemActor`` (operator CLI, worker) may perform every known action; it cannot be
    constructed from a request.
    """
    if isinstance(actor, SystemActor):
        return action in ACTIONS
    if not _token_allows(actor, action):
        return False
    if action in USER_RULES:
        return obj is not None and USER_RULES[action](actor, obj)
    if action in REPORT_RULES:
        return obj is not None and REPORT_RULES[action](actor, obj)
    if action in CASE_RULES:
        if not isinstance(obj, Case):
            return False
        return CASE_RULES[action](case_roles(actor, obj), obj)
    rule = GLOBAL_RULES.get(action)
    return bool(rule and rule(actor))


def require(actor: Any, action: str, obj: Any = None) -> None:
    """Raise unless ``actor`` may perform ``action``.

    For an object the actor may not see, the error is ``NotFound`` (indistinguishable from a
    missing object); for one they can see, ``PermissionDenied``.
    """
    if allowed(actor, action, obj):
        return
    if isinstance(obj, Case) and not allowed(actor, "case.view", obj):
        raise NotFound()
    if action in REPORT_RULES or action in USER_RULES:
        raise NotFound()
    raise PermissionDenied()


def visible_cases(actor: Any) -> QuerySet[Case]:
    """Every case ``actor`` may see, as one query (no per-row checks needed by callers)."""
    if isinstance(actor, SystemActor) or is_sirt(actor):
        return Case.objects.all()
    if not _authenticated(actor):
        return Case.objects.none()
    maintained = [org for org, role in org_roles(actor) if role == Role.MAINTAINER]
    participates = CaseParticipant.objects.filter(
        _active_participation(), case=OuterRef("pk"), user=actor
    )
    from akrites.intake.models import Report  # intake depends on cases; import at use.

    reported = Report.objects.filter(case=OuterRef("pk"), reporter=actor)
    return Case.objects.filter(
        Q(project__team_id__in=maintained) | Exists(participates) | Exists(reported)
    )


def timeline_visibilities(roles: frozenset[str]) -> frozenset[str]:
    """The timeline entry visibilities a holder of ``roles`` may read."""
    if SIRT in roles:
        return frozenset(Visibility.values)
    if MAINTAINER in roles:
        return frozenset({Visibility.MAINTAINERS, Visibility.PARTICIPANTS, Visibility.PUBLIC})
    if roles & CASE_VIEWERS:
        return frozenset({Visibility.PARTICIPANTS, Visibility.PUBLIC})
    return frozenset({Visibility.PUBLIC})
