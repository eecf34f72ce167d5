"""Who acts: the type every service (``actor=``) and selector (``viewer=``) takes.

``Actor`` is structural, so the layers below ``accounts`` (core, the policy, audit, orgs) can
name it without importing the user model. Three kinds satisfy it: ``accounts.User`` (a person
or a scanner identity), Django's ``AnonymousUser`` (a visitor of a public page or a request
without a valid credential) and ``SystemActor`` (the operator's CLI, the worker, the demo
loader). Code that needs a real user — a foreign key, an e-mail address — narrows with
``accounts.actors.user_or_none`` (or ``isinstance``), never with a cast.

What the request layer notes on a user for the length of one request (the token's scopes,
the browser session's step-up time, the cached organisation roles) is not part of the type:
only some actors carry it, so the policy reads it with ``getattr`` and a default.
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
