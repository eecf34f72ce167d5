"""Who acts: the type every service (``actor=``) and selector (``viewer=``) takes.

``Actor`` is structural, so the layers below ``accounts`` (core, the policy, audit, orgs) can
name it without importing the user model. Four kinds satisfy it: ``accounts.User`` (a person or
a scanner identity), Django's ``AnonymousUser`` (a visitor of a public page or a request
without a valid credential), ``SystemActor`` (the operator's CLI, the worker, the demo loader)
and ``ReportLink`` (an anonymous reporter holding their report's secret status link). Code that
needs a real user — a foreign key, an e-mail address — narrows with
``accounts.actors.user_or_none`` (or ``isinstance``), never with a cast.

What the request layer notes on a user for the length of one request (the token's scopes, the
browser session's step-up time, the cached organisation roles) is not part of the type: only
some actors carry it, so the policy reads it with ``getattr`` and a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Actor(Protocol):
    """The members the policy, the audit log and the services use of whoever acts."""

    @property
    def pk(self) -> int | None: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    def get_username(self) -> str: ...


@dataclass(frozen=True)
class SystemActor:
    """A platform component acting with host privileges; audited as ``system:<name>``.

    Only code running on the host (management commands, the task worker) can construct one;
    no request path does.
    """

    name: str
    is_authenticated = False
    is_active = True
    pk = None

    def get_username(self) -> str:
        return f"system:{self.name}"


@dataclass(frozen=True)
class ReportLink:
    """The anonymous reporter of one report, proved by its secret status link.

    Built only by intake after it matched the secret (``intake.selectors.report_by_status_secret``);
    the policy lets it read and post to the reporter's audiences of that report's case and
    nothing else (``access.rules.LINK_ACTIONS``). Audited as ``link:<report id>``.
    """

    report_id: str
    case_id: int | None
    is_authenticated = False
    is_active = True
    pk = None

    def get_username(self) -> str:
        return f"link:{self.report_id}"
