"""The one place that answers "may this actor do this action to this object".

Deny by default: an action missing from the rule tables is refused. Services call ``require``
as their first statement; selectors filter with ``visible_cases``. An actor who may not even
see an object gets ``NotFound`` — the same answer as for an object that does not exist —
so ids cannot be probed; an actor who can see it but not act gets ``PermissionDenied``.

Roles on a case are computed live on every call (memberships, participations, pre-notification
grants, the case's status), so a departed maintainer, a revoked observer or a published case
changes what is visible on the very next request — no cached page or link keeps working.
A member observer or downstream holds a role only after being pre-notified (the grant's
``notify_at`` has passed) *and* accepting the embargo terms; until then they are a
``pending_observer`` who may read and accept the terms and nothing else.

The project's maintainers (its team) become a party when the SIRT notifies them
(``Case.maintainers_notified_at``; a disclosure that came first counts too), not when a report
arrives: the SIRT screens reports first, so maintainers are not flooded with unscreened ones
and a report still in triage is as invisible to them as to anyone else. There is no per-project
opt-in to see triage yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from akrites.cases.models import Case, CaseParticipant, ParticipantRole, Status, Visibility
from akrites.confidentiality.models import PrenotificationGrant
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
# An observer whose grant lets them read the raw report (the maintainers chose so).
OBSERVER_REPORT = "observer_report"
# Told of the case but has not accepted the embargo terms yet: sees the terms only.
PENDING_OBSERVER = "pending_observer"

CASE_VIEWERS = frozenset({SIRT, MAINTAINER, REPORTER, OBSERVER, DOWNSTREAM})
# Observers' and downstreams' access ends when the case is public.
PUBLISHED = frozenset({Status.DISCLOSED, Status.CLOSED})
_GRANTED = frozenset({ParticipantRole.OBSERVER, ParticipantRole.DOWNSTREAM})


class StepUpRequired(PermissionDenied):
    """The action needs a fresh second factor in this session (see ``STEP_UP_ACTIONS``)."""

    code = "step_up_required"

    def __init__(self, message: str = "Confirm with your authenticator code first.") -> None:
        super().__init__(message)


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


def needs_mfa(actor: Any) -> bool:
    """SIRT members and maintainers must use a second factor to use the web app at all."""
    return any(role in SIRT_ROLES or role == Role.MAINTAINER for _, role in org_roles(actor))


_PARTICIPANT_ROLES: dict[str, str] = {
    ParticipantRole.REPORTER: REPORTER,
    ParticipantRole.MAINTAINER: MAINTAINER,
    ParticipantRole.OBSERVER: OBSERVER,
    ParticipantRole.DOWNSTREAM: DOWNSTREAM,
}


def _active_participation() -> Q:
    t = now()
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=t))


def _live_grant(*, accepted: bool) -> Q:
    """Grants that are in force now (told, not revoked), accepted or still awaiting it."""
    return Q(revoked_at__isnull=True, notify_at__lte=now(), accepted_at__isnull=not accepted)


def case_roles(actor: Any, case: Case) -> frozenset[str]:
    """Every role ``actor`` holds on ``case`` right now."""
    return case_roles_many(actor, [case]).get(case.pk, frozenset())


def case_roles_many(actor: Any, cases: Sequence[Case]) -> dict[int, frozenset[str]]:
    """``case_roles`` for each of ``cases`` (by primary key), in a fixed number of queries.

    For lists (the maintainer inbox, a page of cases): the same answer as asking per case.
    Each case's ``project`` should be loaded (``select_related``).
    """
    if not _authenticated(actor) or not cases:
        return {}
    ids = [c.pk for c in cases]
    base: set[str] = set()
    if is_sirt(actor):
        base.add(SIRT)
    if is_sirt_lead(actor):
        base.add(SIRT_LEAD)
    participations: dict[int, set[str]] = {pk: set() for pk in ids}
    for case_id, role in CaseParticipant.objects.filter(
        _active_participation(), case_id__in=ids, user=actor
    ).values_list("case_id", "role"):
        participations[case_id].add(role)
    told = {c.pk: participations[c.pk] & _GRANTED for c in cases if _told(participations[c.pk], c)}
    grants = _granted_roles(actor, told)
    reported = set(
        Case.objects.filter(pk__in=ids, reports__reporter=actor).values_list("pk", flat=True)
    )
    result = {}
    for case in cases:
        roles = set(base)
        if _team_maintainer(actor, case):
            roles.add(MAINTAINER)
        mine = participations[case.pk]
        # A coordinator participation grants nothing by itself: SIRT power comes from
        # membership, so a departed coordinator loses access with their membership.
        roles.update(_PARTICIPANT_ROLES[r] for r in mine - _GRANTED if r in _PARTICIPANT_ROLES)
        roles.update(grants.get(case.pk, ()))
        if case.pk in reported:
            roles.add(REPORTER)
        result[case.pk] = frozenset(roles)
    return result


def _told(participations: set[str], case: Case) -> bool:
    """An observer or downstream participation on an unpublished case: its grant decides."""
    return bool(participations & _GRANTED) and case.status not in PUBLISHED


def _team_maintainer(actor: Any, case: Case) -> bool:
    """A maintainer of the project's team, once the maintainers have been told.

    The SIRT screens every report first (floods of invalid reports are what closed projects'
    private channels): until ``notify_maintainers`` — or a disclosure that came first — the
    team is not a party and the case is as invisible to it as to anyone else. Maintainers
    invited to a case individually (a ``maintainer`` participation) are parties from then.
    """
    team = case.project.team_id
    return (
        team is not None
        and case.maintainers_notified_at is not None
        and (team, Role.MAINTAINER) in org_roles(actor)
    )


def _granted_roles(actor: Any, told: dict[int, set[str]]) -> dict[int, set[str]]:
    """Roles from the pre-notification grants in force now, per case id; ``told`` holds the
    observer/downstream participations per case (a grant counts only with its participation,
    so revoking the participation ends it)."""
    roles: dict[int, set[str]] = {}
    if not told:
        return roles
    grants = PrenotificationGrant.objects.filter(
        revoked_at__isnull=True, notify_at__lte=now(), case_id__in=list(told), user=actor
    ).values_list("case_id", "role", "accepted_at", "include_report")
    for case_id, role, accepted_at, include_report in grants:
        if role not in told[case_id]:
            continue
        mine = roles.setdefault(case_id, set())
        if accepted_at is None:
            mine.add(PENDING_OBSERVER)
            continue
        mine.add(_PARTICIPANT_ROLES[role])
        if include_report:
            mine.add(OBSERVER_REPORT)
    return roles


CaseRule = Callable[[frozenset[str], Case], bool]
GlobalRule = Callable[[Any], bool]


def _any_of(*wanted: str) -> CaseRule:
    allowed = frozenset(wanted)
    return lambda roles, case: bool(roles & allowed)


def _maintainers_decide(roles: frozenset[str], case: Case) -> bool:
    """The maintainers decide; the SIRT decides only where it is the maintainer of last resort
    (a project without a team, or a case in SIRT stewardship)."""
    if MAINTAINER in roles:
        return True
    steward = case.project.team_id is None or case.status == Status.STEWARDSHIP
    return SIRT in roles and steward


def _while_open(rule: CaseRule) -> CaseRule:
    return lambda roles, case: case.status not in PUBLISHED and rule(roles, case)


def _chooses_fix(roles: frozenset[str], case: Case) -> bool:
    """The maintainers choose the one fix; the SIRT lead only as maintainer of last resort
    (a project without a team, or a case under SIRT stewardship not yet handed back)."""
    if MAINTAINER in roles:
        return True
    if SIRT_LEAD not in roles:
        return False
    from akrites.remediation.models import Stewardship  # remediation depends on policy

    return case.project.team_id is None or (
        Stewardship.objects.filter(case=case, handed_back_at__isnull=True).exists()
    )


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
    # Triage (cases.triage): the SIRT scores, claims and runs the clocks; a lead may release
    # another coordinator's claim.
    "case.view_triage": _any_of(SIRT),
    "case.claim": _any_of(SIRT),
    "case.release_any": _any_of(SIRT_LEAD),
    "case.assess": _any_of(SIRT),
    "case.report_cra": _any_of(SIRT),
    "case.export": _any_of(SIRT, MAINTAINER),
    "case.read_audit": _any_of(SIRT),
    # Field-level rules: what of a visible case the viewer may read (see FIELD_ACTIONS).
    "case.read_report_text": _any_of(SIRT, MAINTAINER, OBSERVER_REPORT),
    "case.read_attachment": _any_of(SIRT, MAINTAINER, OBSERVER_REPORT),
    "case.read_internal_notes": _any_of(SIRT),
    "case.read_advisory_draft": _any_of(SIRT, MAINTAINER, REPORTER, OBSERVER, DOWNSTREAM),
    "case.read_patch": _any_of(SIRT, MAINTAINER, OBSERVER, DOWNSTREAM),
    "case.read_embargo": _any_of(*CASE_VIEWERS),
    # Embargo: maintainers choose the date within policy; the SIRT approves extensions; an
    # early lift needs two different people (enforced in access.services.embargo).
    "embargo.set_date": _while_open(_any_of(MAINTAINER, SIRT)),
    "embargo.request_extension": _while_open(_any_of(MAINTAINER, SIRT)),
    "embargo.approve_extension": _while_open(_any_of(SIRT)),
    "embargo.mark_exploited": _while_open(_any_of(SIRT)),
    "embargo.lift_propose": _while_open(_any_of(MAINTAINER, SIRT)),
    "embargo.lift_approve": _while_open(_any_of(MAINTAINER, SIRT)),
    # Pre-notification: the maintainers decide whom to tell and when.
    "prenotify.view_candidates": _while_open(_maintainers_decide),
    "prenotify.grant": _while_open(_maintainers_decide),
    # The SIRT can always cut access; maintainers can withdraw what they granted.
    "prenotify.revoke": _any_of(MAINTAINER, SIRT),
    "embargo.read_terms": _while_open(_any_of(PENDING_OBSERVER, OBSERVER, DOWNSTREAM)),
    "embargo.accept_terms": _while_open(_any_of(PENDING_OBSERVER, OBSERVER, DOWNSTREAM)),
    # Remediation (akrites.remediation): dates, statements, patches, the ladder.
    "remediation.set_dates": _any_of(MAINTAINER, SIRT),
    "remediation.approve_dates": _any_of(SIRT),
    "remediation.statement": _any_of(MAINTAINER, SIRT),
    "remediation.view_ladder": _any_of(MAINTAINER, SIRT),
    "patch.propose": _any_of(*CASE_VIEWERS),
    "patch.review": _any_of(*CASE_VIEWERS),
    "patch.choose": lambda roles, case: _chooses_fix(roles, case),
    "fix.export": _any_of(MAINTAINER, SIRT),
    # Disclosure (akrites.disclosure): maintainers and the SIRT draft the advisory and choose
    # its date; the SIRT reserves CVE ids and publishes (the worker publishes when due).
    "advisory.edit": _any_of(MAINTAINER, SIRT),
    "advisory.schedule": _any_of(MAINTAINER, SIRT),
    "advisory.reserve_cve": _any_of(SIRT),
    "advisory.publish": _any_of(SIRT),
    # Publication needs an explicit approval of one revision by the SIRT (fresh code);
    # whoever may edit may also take an approval back (an edit voids it anyway). Revising or
    # withdrawing a published advisory is the SIRT's, with a fresh code and a reason.
    "advisory.approve": _any_of(SIRT),
    "advisory.withdraw_approval": _any_of(MAINTAINER, SIRT),
    "advisory.revise": _any_of(SIRT),
    "advisory.withdraw": _any_of(SIRT),
}

# Field name → the action that guards it (``may_read_field``).
FIELD_ACTIONS: dict[str, str] = {
    "report_text": "case.read_report_text",
    "attachment": "case.read_attachment",
    "internal_notes": "case.read_internal_notes",
    "advisory_draft": "case.read_advisory_draft",
    "patch": "case.read_patch",
    "embargo": "case.read_embargo",
}

# The most sensitive actions need a second factor entered within AKRITES_STEP_UP_SECONDS in
# an interactive (browser) session; API tokens cannot perform them at all (no scope has them).
STEP_UP_ACTIONS = frozenset(
    {
        "embargo.lift_propose",
        "embargo.lift_approve",
        "case.break_embargo",
        "case.disclose",
        "advisory.publish",
        "advisory.approve",
        "advisory.revise",
        "advisory.withdraw",
        "case.export",
        "prenotify.grant",
    }
)

UserRule = Callable[[Any, Any], bool]


def _manages_account(actor: Any, user: Any) -> bool:
    """The account holder, the SIRT lead, or a scanner operator of the scanner's owner org."""
    if not _authenticated(actor):
        return False
    if actor.pk == user.pk or is_sirt_lead(actor):
        return True
    owner = getattr(user, "owner_org_id", None)
    return owner is not None and (owner, Role.SCANNER_OPERATOR) in org_roles(actor)


def _self_or_lead(actor: Any, user: Any) -> bool:
    return _authenticated(actor) and (actor.pk == user.pk or is_sirt_lead(actor))


def _sees_quota(actor: Any, user: Any) -> bool:
    """A sender's quota: the SIRT, the account itself and its scanner operators."""
    return _authenticated(actor) and (is_sirt(actor) or _manages_account(actor, user))


USER_RULES: dict[str, UserRule] = {
    "token.issue": _manages_account,
    "session.kill": _self_or_lead,
    # Reset a lost second factor (the SIRT lead), or install one (operator, demo data).
    "mfa.reset": lambda actor, user: _authenticated(actor) and is_sirt_lead(actor),
    "sender.view_quota": _sees_quota,
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


def _may_publish_rejection(actor: Any, report: Any) -> bool:
    """The reporter may ask for their rejected report to be published; the SIRT by policy."""
    if not _authenticated(actor):
        return False
    return (report.reporter_id is not None and report.reporter_id == actor.pk) or is_sirt(actor)


REPORT_RULES: dict[str, UserRule] = {
    "report.view": _may_view_report,
    "rejection.publish": _may_publish_rejection,
}

_MEMBER_ROLES = frozenset({Role.MEMBER_ADMIN, Role.MEMBER_OBSERVER, Role.DOWNSTREAM})


def _speaks_for_org(actor: Any, org: Any) -> bool:
    """SBOMs: the organisation's own member admins and observers, and the SIRT."""
    if not _authenticated(actor):
        return False
    return is_sirt(actor) or any(
        org_id == org.pk and role in _MEMBER_ROLES for org_id, role in org_roles(actor)
    )


_WEBHOOK_ROLES = frozenset({Role.MEMBER_ADMIN, Role.MAINTAINER, Role.DOWNSTREAM})


def _runs_org_webhooks(actor: Any, org: Any) -> bool:
    """Webhook subscriptions: the organisation's admins and maintainers, and the SIRT."""
    if not _authenticated(actor):
        return False
    return is_sirt(actor) or any(
        org_id == org.pk and role in _WEBHOOK_ROLES for org_id, role in org_roles(actor)
    )


def _maintains_project(actor: Any, project: Any) -> bool:
    team = getattr(project, "team_id", None)
    return team is not None and (team, Role.MAINTAINER) in org_roles(actor)


# Per-project actions (the object is a projects.Project): the maintainers' terms.
PROJECT_RULES: dict[str, UserRule] = {
    "terms.view": lambda actor, project: is_sirt(actor) or _maintains_project(actor, project),
    "terms.edit": lambda actor, project: is_sirt(actor) or _maintains_project(actor, project),
    "project.mark_status": lambda actor, project: is_sirt(actor),
}

ORG_RULES: dict[str, UserRule] = {
    "webhook.manage": _runs_org_webhooks,
    "sbom.register": _speaks_for_org,
    "sbom.view": _speaks_for_org,
}

GLOBAL_RULES: dict[str, GlobalRule] = {
    # Notifications: the delivery log is the SIRT's; preferences are everyone's own.
    "notifications.deliveries": is_sirt,
    "notifications.preferences": _authenticated,
    "org.create": is_sirt_lead,
    "org.add_member": is_sirt_lead,
    "project.create": is_sirt,
    "package.add": is_sirt,
    "case.create": is_sirt,
    "queue.view": is_sirt,
    # The project registry holds contacts and response times: SIRT only (docs/triage.md).
    "registry.view": is_sirt,
    "registry.edit": is_sirt,
    "sender.set_quota": is_sirt_lead,
    "clocks.record": is_sirt,
    "audit.verify": is_sirt,
    "admin.access": is_sirt,
    "report.submit": _authenticated,
    "report.view_own": _authenticated,
    # The public web form: anyone may report (with a contact address), rate-limited by intake.
    "report.submit_anonymous": lambda actor: True,
    "inbox.view": _authenticated,
    "mfa.manage": _authenticated,
}

ACTIONS = (
    frozenset(CASE_RULES)
    | frozenset(USER_RULES)
    | frozenset(REPORT_RULES)
    | frozenset(ORG_RULES)
    | frozenset(PROJECT_RULES)
    | frozenset(GLOBAL_RULES)
)

# What an API token may do at all, by scope. A token-authenticated request carries its scopes
# on the user object (``_akrites_token_scopes``); any action not listed for one of them is
# refused, so a new action is closed to tokens until it is added here.
TOKEN_SCOPE_ACTIONS: dict[str, frozenset[str]] = {
    "read": frozenset(
        {"case.view", "inbox.view", "report.view_own", "report.view", "case.read_embargo"}
    ),
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
    constructed from a request. Step-up is not part of this answer (it is a property of the
    session, checked by ``require``), so pages can offer an action and ask for the code.
    """
    if isinstance(actor, SystemActor):
        return action in ACTIONS
    if not _token_allows(actor, action):
        return False
    if action in USER_RULES:
        return obj is not None and USER_RULES[action](actor, obj)
    if action in REPORT_RULES:
        return obj is not None and REPORT_RULES[action](actor, obj)
    if action in ORG_RULES:
        return obj is not None and ORG_RULES[action](actor, obj)
    if action in PROJECT_RULES:
        return obj is not None and _authenticated(actor) and PROJECT_RULES[action](actor, obj)
    if action in CASE_RULES:
        if not isinstance(obj, Case):
            return False
        return CASE_RULES[action](case_roles(actor, obj), obj)
    rule = GLOBAL_RULES.get(action)
    return bool(rule and rule(actor))


def allowed_cases(actor: Any, action: str, cases: Sequence[Case]) -> set[int]:
    """The ids of ``cases`` on which ``actor`` may perform the case action ``action`` — the
    answer of ``allowed`` for each, with the roles read in bulk (``case_roles_many``)."""
    if action not in CASE_RULES:
        raise ValueError(f"{action!r} is not a case action")
    if isinstance(actor, SystemActor):
        return {c.pk for c in cases}
    if not _token_allows(actor, action):
        return set()
    roles = case_roles_many(actor, cases)
    rule = CASE_RULES[action]
    return {c.pk for c in cases if rule(roles.get(c.pk, frozenset()), c)}


def may_read_field(actor: Any, case: Case, field: str) -> bool:
    """Whether ``actor`` may read ``field`` (a key of ``FIELD_ACTIONS``) of ``case``."""
    action = FIELD_ACTIONS.get(field)
    return action is not None and allowed(actor, action, case)


# Step-up actions a token of a scope may take without a fresh code. Deliberately empty: a
# token is a standing credential with no second factor behind it, so it never takes a
# step-up action (lifting or breaking an embargo, publishing, exporting, telling members).
# A scope that must (an automated publisher, say) would be listed here, and documented.
TOKEN_STEP_UP: dict[str, frozenset[str]] = {}


def stepped_up(actor: Any, action: str = "") -> bool:
    """True unless ``actor`` came from a request without a recent second factor.

    Token requests (``_akrites_token_scopes``) are never stepped up, except for an action
    ``TOKEN_STEP_UP`` lists for one of the token's scopes. The session middleware marks
    browser users (``_akrites_interactive``) and copies the time of their last verified code
    (``_akrites_step_up_at``). Host actors and service calls made outside a request have no
    session to step up.
    """
    scopes: frozenset[str] | None = getattr(actor, "_akrites_token_scopes", None)
    if scopes is not None:
        return any(action in TOKEN_STEP_UP.get(scope, frozenset()) for scope in scopes)
    if not getattr(actor, "_akrites_interactive", False):
        return True
    at = getattr(actor, "_akrites_step_up_at", None)
    window = timedelta(seconds=settings.AKRITES_STEP_UP_SECONDS)
    return at is not None and now() - at <= window


def require(actor: Any, action: str, obj: Any = None) -> None:
    """Raise unless ``actor`` may perform ``action``.

    For an object the actor may not see, the error is ``NotFound`` (indistinguishable from a
    missing object); for one they can see, ``PermissionDenied``; for a permitted action in
    ``STEP_UP_ACTIONS`` without a recent second factor, ``StepUpRequired``.
    """
    if allowed(actor, action, obj):
        if action in STEP_UP_ACTIONS and not stepped_up(actor, action):
            raise StepUpRequired()
        return
    if isinstance(obj, Case) and not allowed(actor, "case.view", obj):
        raise NotFound()
    if action in PROJECT_RULES and allowed(actor, "terms.view", obj):
        raise PermissionDenied()
    if action in REPORT_RULES or action in USER_RULES or action in ORG_RULES:
        raise NotFound()
    if action in PROJECT_RULES:
        raise NotFound()
    raise PermissionDenied()


def visible_cases(actor: Any) -> QuerySet[Case]:
    """Every case ``actor`` may see, as one query (no per-row checks needed by callers).

    Mirrors ``case_roles`` (a test checks they agree): memberships, active participations,
    accepted and current grants on unpublished cases, and own reports.
    """
    if isinstance(actor, SystemActor) or is_sirt(actor):
        return Case.objects.all()
    if not _authenticated(actor):
        return Case.objects.none()
    maintained = [org for org, role in org_roles(actor) if role == Role.MAINTAINER]
    direct = CaseParticipant.objects.filter(
        _active_participation(),
        case=OuterRef("pk"),
        user=actor,
        role__in=[ParticipantRole.REPORTER, ParticipantRole.MAINTAINER],
    )
    grant = PrenotificationGrant.objects.filter(
        _live_grant(accepted=True), case=OuterRef("case"), user=actor, role=OuterRef("role")
    )
    granted = CaseParticipant.objects.filter(
        _active_participation(), Exists(grant), case=OuterRef("pk"), user=actor, role__in=_GRANTED
    )
    from akrites.intake.models import Report  # intake depends on cases; import at use.

    reported = Report.objects.filter(case=OuterRef("pk"), reporter=actor)
    return Case.objects.filter(
        Q(project__team_id__in=maintained, maintainers_notified_at__isnull=False)
        | Exists(direct)
        | (Exists(granted) & ~Q(status__in=PUBLISHED))
        | Exists(reported)
    )


def timeline_visibilities(roles: frozenset[str]) -> frozenset[str]:
    """The timeline entry visibilities a holder of ``roles`` may read.

    SIRT-only entries are the SIRT's internal notes: they never reach reporters or observers.
    """
    if SIRT in roles:
        return frozenset(Visibility.values)
    if MAINTAINER in roles:
        return frozenset({Visibility.MAINTAINERS, Visibility.PARTICIPANTS, Visibility.PUBLIC})
    if roles & CASE_VIEWERS:
        return frozenset({Visibility.PARTICIPANTS, Visibility.PUBLIC})
    return frozenset({Visibility.PUBLIC})
