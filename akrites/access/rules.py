"""The rule tables: which roles may take which action. Deny by default — an action missing
from every table is refused (``policy.allowed``).

Case rules see the actor's ``CaseFacts`` (roles, and the case's standing); the other tables
see the actor and the object. ``TOKEN_SCOPE_ACTIONS`` limits API tokens; ``STEP_UP_ACTIONS``
need a fresh second factor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akrites.access.facts import CaseFacts, in_stewardship, prenotify_consented
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
    OrgRole,
)
from akrites.access.standing import _authenticated, case_facts, is_sirt, is_sirt_lead, org_roles
from akrites.core.actors import Actor

CaseRule = Callable[[CaseFacts, Any], bool]
GlobalRule = Callable[[Actor], bool]


def _any_of(*wanted: str) -> CaseRule:
    allowed = frozenset(wanted)
    return lambda facts, case: bool(facts.roles & allowed)


def _maintainers_decide(facts: CaseFacts, case: Any) -> bool:
    """The maintainers decide; the SIRT decides only where it is the maintainer of last resort
    (a project without a team, or a case in SIRT stewardship)."""
    if MAINTAINER in facts.roles:
        return True
    return SIRT in facts.roles and facts.sirt_maintains


def _tells_members(facts: CaseFacts, case: Any) -> bool:
    """Whom to pre-notify is the maintainers' decision; the SIRT lead takes it too once the
    maintainers consented for this case (``confidentiality.PrenotifyConsent``), or where the
    SIRT is the maintainer of last resort. A coordinator never does."""
    if _maintainers_decide(facts, case):
        return True
    return SIRT_LEAD in facts.roles and prenotify_consented(case)


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
    # Pre-notification: the maintainers decide whom to tell and when; the SIRT lead too, with
    # their consent for the case, which only they give or withdraw.
    "prenotify.view_candidates": _while_open(_tells_members),
    "prenotify.grant": _while_open(_tells_members),
    "prenotify.consent": _while_open(_any_of(MAINTAINER)),
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
    # The case conversation (akrites.conversation): four nested audiences, each adding
    # parties to the one before. Whoever may read an audience may post to it; the author
    # alone may edit a message (checked by the service, after this rule).
    "message.read_sirt": _any_of(SIRT),
    "message.read_maintainers": _any_of(SIRT, MAINTAINER),
    "message.read_parties": _any_of(SIRT, MAINTAINER, REPORTER),
    "message.read_members": _any_of(SIRT, MAINTAINER, REPORTER, OBSERVER, DOWNSTREAM),
    "message.post_sirt": _any_of(SIRT),
    "message.post_maintainers": _any_of(SIRT, MAINTAINER),
    "message.post_parties": _any_of(SIRT, MAINTAINER, REPORTER),
    "message.post_members": _any_of(SIRT, MAINTAINER, REPORTER, OBSERVER, DOWNSTREAM),
}

# What the holder of an anonymous report's secret status link (``core.actors.ReportLink``)
# may do, on that report's case only: read and answer the reporter's audiences.
LINK_ACTIONS = frozenset(
    {"message.read_parties", "message.read_members", "message.post_parties", "message.post_members"}
)

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

UserRule = Callable[[Actor, Any], bool]


def _manages_account(actor: Actor, user: Any) -> bool:
    """The account holder, the SIRT lead, or a scanner operator of the scanner's owner org."""
    if not _authenticated(actor):
        return False
    if actor.pk == user.pk or is_sirt_lead(actor):
        return True
    owner = getattr(user, "owner_org_id", None)
    return owner is not None and (owner, OrgRole.SCANNER_OPERATOR) in org_roles(actor)


def _self_or_lead(actor: Actor, user: Any) -> bool:
    return _authenticated(actor) and (actor.pk == user.pk or is_sirt_lead(actor))


def _sees_quota(actor: Actor, user: Any) -> bool:
    """A sender's quota: the SIRT, the account itself and its scanner operators."""
    return _authenticated(actor) and (is_sirt(actor) or _manages_account(actor, user))


USER_RULES: dict[str, UserRule] = {
    "token.issue": _manages_account,
    "session.kill": _self_or_lead,
    # Reset a lost second factor (the SIRT lead), or install one (operator, demo data).
    "mfa.reset": lambda actor, user: _authenticated(actor) and is_sirt_lead(actor),
    "sender.view_quota": _sees_quota,
    # One's own e-mail address: set it, and confirm it through the link mailed to it. Only
    # the operator (a system actor) may mark one verified without a link (the demo data).
    "account.email_set": lambda actor, user: _authenticated(actor) and actor.pk == user.pk,
    "account.email_confirm": lambda actor, user: _authenticated(actor) and actor.pk == user.pk,
    "account.email_verify": lambda actor, user: False,
}


def _may_view_report(actor: Actor, report: Any) -> bool:
    if not _authenticated(actor):
        return False
    if report.reporter_id is not None and report.reporter_id == actor.pk:
        return True
    if is_sirt(actor):
        return True
    facts = case_facts(actor, report.case) if report.case is not None else None
    return facts is not None and CASE_RULES["case.view_reports"](facts, report.case)


def _may_publish_rejection(actor: Actor, report: Any) -> bool:
    """The reporter may ask for their rejected report to be published; the SIRT by policy."""
    if not _authenticated(actor):
        return False
    return (report.reporter_id is not None and report.reporter_id == actor.pk) or is_sirt(actor)


REPORT_RULES: dict[str, UserRule] = {
    "report.view": _may_view_report,
    "rejection.publish": _may_publish_rejection,
}

_MEMBER_ROLES = frozenset({OrgRole.MEMBER_ADMIN, OrgRole.MEMBER_OBSERVER, OrgRole.DOWNSTREAM})


def _speaks_for_org(actor: Actor, org: Any) -> bool:
    """SBOMs: the organisation's own member admins and observers, and the SIRT."""
    if not _authenticated(actor):
        return False
    return is_sirt(actor) or any(
        org_id == org.pk and role in _MEMBER_ROLES for org_id, role in org_roles(actor)
    )


_WEBHOOK_ROLES = frozenset({OrgRole.MEMBER_ADMIN, OrgRole.MAINTAINER, OrgRole.DOWNSTREAM})


def _runs_org_webhooks(actor: Actor, org: Any) -> bool:
    """Webhook subscriptions: the organisation's admins and maintainers, and the SIRT."""
    if not _authenticated(actor):
        return False
    return is_sirt(actor) or any(
        org_id == org.pk and role in _WEBHOOK_ROLES for org_id, role in org_roles(actor)
    )


def _maintains_project(actor: Actor, project: Any) -> bool:
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
    # The demo's SMTP sink (only with DEBUG on; the view checks that): all mail, so the SIRT's.
    "notifications.outbox": is_sirt,
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
    # Reports no case could hold (package not registered, or none named): the SIRT's
    # unrouted queue, and routing them by registering or attaching their package.
    "report.view_unrouted": is_sirt,
    "report.route": is_sirt,
    "report.submit": _authenticated,
    "report.view_own": _authenticated,
    # The public web form: anyone may report (with a contact address), rate-limited by intake.
    "report.submit_anonymous": lambda actor: True,
    "inbox.view": _authenticated,
    "mfa.manage": _authenticated,
}


def _edits_message(actor: Actor, message: Any) -> bool:
    """A message's author alone may edit it, while they may still post to its audience."""
    if not _authenticated(actor) or message.author_id is None or message.author_id != actor.pk:
        return False
    facts = case_facts(actor, message.case)
    rule = CASE_RULES.get(f"message.post_{message.audience}")
    return facts is not None and rule is not None and rule(facts, message.case)


# Per-message actions (the object is a conversation.Message).
MESSAGE_RULES: dict[str, UserRule] = {"message.edit": _edits_message}

ACTIONS = (
    frozenset(CASE_RULES)
    | frozenset(MESSAGE_RULES)
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
        {
            "case.view",
            "inbox.view",
            "report.view_own",
            "report.view",
            "case.read_embargo",
            "report.view_unrouted",
        }
        | {a for a in CASE_RULES if a.startswith("message.read_")}
    ),
    "submit": frozenset({"report.submit", "report.view_own", "report.view"}),
    # Read and answer case conversations (a bot relaying a finder's replies, a member's
    # ticketing system).
    "converse": frozenset(
        {"case.view", "inbox.view"}
        | {a for a in CASE_RULES if a.startswith("message.")}
        | frozenset(MESSAGE_RULES)
    ),
}


def _token_allows(actor: Actor, action: str) -> bool:
    scopes: frozenset[str] | None = getattr(actor, "_akrites_token_scopes", None)
    if scopes is None:
        return True
    return any(action in TOKEN_SCOPE_ACTIONS.get(scope, frozenset()) for scope in scopes)


# Step-up actions a token of a scope may take without a fresh code. Deliberately empty: a
# token is a standing credential with no second factor behind it, so it never takes a
# step-up action (lifting or breaking an embargo, publishing, exporting, telling members).
# A scope that must (an automated publisher, say) would be listed here, and documented.
TOKEN_STEP_UP: dict[str, frozenset[str]] = {}
