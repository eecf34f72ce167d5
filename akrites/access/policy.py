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

from akrites.access.facts import CaseFacts, case_facts_many, in_stewardship, membership_roles
from akrites.access.roles import (
    CASE_VIEWERS,
    DOWNSTREAM,
    MAINTAINER,
    OBSERVER,
    OBSERVER_REPORT,
    PENDING_OBSERVER,
    REPORTER,
    SIRT,
    SIRT_LEAD,
    SIRT_ROLES,
    OrgRole,
)
from akrites.core.actors import SystemActor
from akrites.core.clock import now
from akrites.core.errors import NotFound, PermissionDenied

__all__ = [
    "CASE_VIEWERS",
    "DOWNSTREAM",
    "MAINTAINER",
    "OBSERVER",
    "OBSERVER_REPORT",
    "PENDING_OBSERVER",
    "REPORTER",
    "SIRT",
    "SIRT_LEAD",
    "CaseFacts",
    "StepUpRequired",
    "allowed",
    "allowed_cases",
    "case_roles",
    "case_roles_many",
    "is_sirt",
    "is_sirt_lead",
    "may_read_field",
    "needs_mfa",
    "org_roles",
    "require",
    "stepped_up",
]


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
        cached = membership_roles(actor)
        actor._akrites_org_roles = cached
    return cached


def is_sirt(actor: Any) -> bool:
    return any(role in SIRT_ROLES for _, role in org_roles(actor))


def is_sirt_lead(actor: Any) -> bool:
    return any(role == OrgRole.SIRT_LEAD for _, role in org_roles(actor))


def needs_mfa(actor: Any) -> bool:
    """SIRT members and maintainers must use a second factor to use the web app at all."""
    return any(role in SIRT_ROLES or role == OrgRole.MAINTAINER for _, role in org_roles(actor))


def case_facts(actor: Any, case: Any) -> CaseFacts | None:
    """The facts of one case for ``actor`` (None: not a case, or an anonymous actor)."""
    if not _authenticated(actor) or getattr(case, "pk", None) is None:
        return None
    return case_facts_many(actor, [case]).get(case.pk)


def case_roles(actor: Any, case: Any) -> frozenset[str]:
    """Every role ``actor`` holds on ``case`` right now."""
    facts = case_facts(actor, case)
    return facts.roles if facts is not None else frozenset()


def case_roles_many(actor: Any, cases: Sequence[Any]) -> dict[int, frozenset[str]]:
    """``case_roles`` for each of ``cases`` (by primary key), in a fixed number of queries.

    For lists (the maintainer inbox, a page of cases): the same answer as asking per case.
    Each case's ``project`` should be loaded (``select_related``).
    """
    if not _authenticated(actor) or not cases:
        return {}
    return {pk: f.roles for pk, f in case_facts_many(actor, cases).items()}


CaseRule = Callable[[CaseFacts, Any], bool]
GlobalRule = Callable[[Any], bool]


def _any_of(*wanted: str) -> CaseRule:
    allowed = frozenset(wanted)
    return lambda facts, case: bool(facts.roles & allowed)


def _maintainers_decide(facts: CaseFacts, case: Any) -> bool:
    """The maintainers decide; the SIRT decides only where it is the maintainer of last resort
    (a project without a team, or a case in SIRT stewardship)."""
    if MAINTAINER in facts.roles:
        return True
    return SIRT in facts.roles and facts.sirt_maintains


def _while_open(rule: CaseRule) -> CaseRule:
    return lambda facts, case: not facts.published and rule(facts, case)


def _chooses_fix(facts: CaseFacts, case: Any) -> bool:
    """The maintainers choose the one fix; the SIRT lead only as maintainer of last resort
    (a project without a team, or a case under SIRT stewardship not yet handed back)."""
    if MAINTAINER in facts.roles:
        return True
    if SIRT_LEAD not in facts.roles:
        return False
    return facts.team_less or in_stewardship(case)


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
    "patch.choose": _chooses_fix,
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
    return owner is not None and (owner, OrgRole.SCANNER_OPERATOR) in org_roles(actor)


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
    facts = case_facts(actor, report.case) if report.case is not None else None
    return facts is not None and CASE_RULES["case.view_reports"](facts, report.case)


def _may_publish_rejection(actor: Any, report: Any) -> bool:
    """The reporter may ask for their rejected report to be published; the SIRT by policy."""
    if not _authenticated(actor):
        return False
    return (report.reporter_id is not None and report.reporter_id == actor.pk) or is_sirt(actor)


REPORT_RULES: dict[str, UserRule] = {
    "report.view": _may_view_report,
    "rejection.publish": _may_publish_rejection,
}

_MEMBER_ROLES = frozenset({OrgRole.MEMBER_ADMIN, OrgRole.MEMBER_OBSERVER, OrgRole.DOWNSTREAM})


def _speaks_for_org(actor: Any, org: Any) -> bool:
    """SBOMs: the organisation's own member admins and observers, and the SIRT."""
    if not _authenticated(actor):
        return False
    return is_sirt(actor) or any(
        org_id == org.pk and role in _MEMBER_ROLES for org_id, role in org_roles(actor)
    )


_WEBHOOK_ROLES = frozenset({OrgRole.MEMBER_ADMIN, OrgRole.MAINTAINER, OrgRole.DOWNSTREAM})


def _runs_org_webhooks(actor: Any, org: Any) -> bool:
    """Webhook subscriptions: the organisation's admins and maintainers, and the SIRT."""
    if not _authenticated(actor):
        return False
    return is_sirt(actor) or any(
        org_id == org.pk and role in _WEBHOOK_ROLES for org_id, role in org_roles(actor)
    )


def _maintains_project(actor: Any, project: Any) -> bool:
    team = getattr(project, "team_id", None)
    return team is not None and (team, OrgRole.MAINTAINER) in org_roles(actor)


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
        facts = case_facts(actor, obj)
        return facts is not None and CASE_RULES[action](facts, obj)
    rule = GLOBAL_RULES.get(action)
    return bool(rule and rule(actor))


def allowed_cases(actor: Any, action: str, cases: Sequence[Any]) -> set[int]:
    """The ids of ``cases`` on which ``actor`` may perform the case action ``action`` — the
    answer of ``allowed`` for each, with the facts read in bulk (``case_facts_many``)."""
    if action not in CASE_RULES:
        raise ValueError(f"{action!r} is not a case action")
    if isinstance(actor, SystemActor):
        return {c.pk for c in cases}
    if not _token_allows(actor, action) or not _authenticated(actor) or not cases:
        return set()
    facts = case_facts_many(actor, cases)
    rule = CASE_RULES[action]
    return {c.pk for c in cases if c.pk in facts and rule(facts[c.pk], c)}


def may_read_field(actor: Any, case: Any, field: str) -> bool:
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
    if action in CASE_RULES and not allowed(actor, "case.view", obj):
        raise NotFound()
    if action in PROJECT_RULES and allowed(actor, "terms.view", obj):
        raise PermissionDenied()
    if action in REPORT_RULES or action in USER_RULES or action in ORG_RULES:
        raise NotFound()
    if action in PROJECT_RULES:
        raise NotFound()
    raise PermissionDenied()
