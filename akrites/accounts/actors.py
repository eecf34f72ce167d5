"""From an ``Actor`` to the account behind it, for code that needs a real user.

Services and selectors take any ``akrites.core.actors.Actor``; a foreign key to the user
model needs a ``User``. These two are the one place that narrows (no casts elsewhere):
``user_or_none`` where the column may stay empty for a visitor or a host component (the
audit entry still names ``system:<name>``), ``user_of`` where only an account can be meant.
"""

from __future__ import annotations

from akrites.accounts.models import User
from akrites.core.actors import Actor
from akrites.core.errors import PermissionDenied


def user_or_none(actor: Actor | None) -> User | None:
    """The user behind ``actor``; None for an anonymous visitor or a ``SystemActor``."""
    return actor if isinstance(actor, User) else None


def user_of(actor: Actor) -> User:
    """The user behind ``actor``, for what only an account can hold or do (its devices,
    preferences and reports, a proposal someone else must approve, a party's role).

    Raises PermissionDenied for a visitor or a host component, which have none (before the
    actor was typed, Django refused the same value with a ValueError or TypeError).
    """
    user = user_or_none(actor)
    if user is None:
        raise PermissionDenied("this needs a user account")
    return user
