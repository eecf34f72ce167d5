"""Reads of organisations and memberships."""

from __future__ import annotations

from akrites.core.actors import Actor
from akrites.orgs.models import Membership


def membership_roles(actor: Actor) -> frozenset[tuple[int, str]]:
    """(organisation id, role) of every membership of ``actor`` (one query).

    Asked by the policy for authenticated actors (users); ``accounts`` sits above this app,
    so the lookup is by id, and an actor without one (a visitor, a host) has none.
    """
    if actor.pk is None:
        return frozenset()
    memberships = Membership.objects.filter(user_id=actor.pk)
    return frozenset(memberships.values_list("organisation_id", "role"))
