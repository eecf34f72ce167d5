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

The package imports no app (``core.layering``): role names are ``access.roles``, the rule
tables ``access.rules``, and the facts about actors and cases are told to it by the apps that
own them (``access.facts``, ``access.standing``). This module is the engine the rest calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings

from akrites.access.facts import CaseFacts, case_facts_many
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
)
from akrites.access.rules import (
    ACTIONS,
    CASE_RULES,
    FIELD_ACTIONS,
    GLOBAL_RULES,
    LINK_ACTIONS,
    MESSAGE_RULES,
    ORG_RULES,
    PROJECT_RULES,
    REPORT_RULES,
    STEP_UP_ACTIONS,
    TOKEN_SCOPE_ACTIONS,
    TOKEN_STEP_UP,
    USER_RULES,
    _token_allows,
)
from akrites.access.standing import (
    _authenticated,
    case_facts,
    case_roles,
    case_roles_many,
    is_sirt,
    is_sirt_lead,
    needs_mfa,
    org_roles,
)
from akrites.core.actors import Actor, ReportLink, SystemActor
from akrites.core.clock import now
from akrites.core.errors import NotFound, PermissionDenied

__all__ = [
    "ACTIONS",
    "CASE_RULES",
    "CASE_VIEWERS",
    "DOWNSTREAM",
    "FIELD_ACTIONS",
    "MAINTAINER",
    "OBSERVER",
    "OBSERVER_REPORT",
    "PENDING_OBSERVER",
    "REPORTER",
    "SIRT",
    "SIRT_LEAD",
    "STEP_UP_ACTIONS",
    "TOKEN_SCOPE_ACTIONS",
    "TOKEN_STEP_UP",
    "CaseFacts",
    "StepUpRequired",
    "allowed",
    "allowed_cases",
    "case_facts",
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


def allowed(actor: Actor, action: str, obj: Any = None) -> bool:
    """True if ``actor`` may perform ``action`` (on ``obj``). Unknown actions are denied.

    A ``SystemActor`` (operator CLI, worker) may perform every known action; it cannot be
    constructed from a request. Step-up is not part of this answer (it is a property of the
    session, checked by ``require``), so pages can offer an action and ask for the code.
    """
    if isinstance(actor, SystemActor):
        return action in ACTIONS
    if isinstance(actor, ReportLink):
        return (
            action in LINK_ACTIONS
            and actor.case_id is not None
            and getattr(obj, "pk", None) == actor.case_id
        )
    if not _token_allows(actor, action):
        return False
    if action in USER_RULES:
        return obj is not None and USER_RULES[action](actor, obj)
    if action in REPORT_RULES:
        return obj is not None and REPORT_RULES[action](actor, obj)
    if action in MESSAGE_RULES:
        return obj is not None and MESSAGE_RULES[action](actor, obj)
    if action in ORG_RULES:
        return obj is not None and ORG_RULES[action](actor, obj)
    if action in PROJECT_RULES:
        return obj is not None and _authenticated(actor) and PROJECT_RULES[action](actor, obj)
    if action in CASE_RULES:
        facts = case_facts(actor, obj)
        return facts is not None and CASE_RULES[action](facts, obj)
    rule = GLOBAL_RULES.get(action)
    return bool(rule and rule(actor))


def allowed_cases(actor: Actor, action: str, cases: Sequence[Any]) -> set[int]:
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


def may_read_field(actor: Actor, case: Any, field: str) -> bool:
    """Whether ``actor`` may read ``field`` (a key of ``FIELD_ACTIONS``) of ``case``."""
    action = FIELD_ACTIONS.get(field)
    return action is not None and allowed(actor, action, case)


def stepped_up(actor: Actor, action: str = "") -> bool:
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


def require(actor: Actor, action: str, obj: Any = None) -> None:
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
