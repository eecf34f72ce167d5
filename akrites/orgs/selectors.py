"""Reads of organisations and memberships."""

from __future__ import annotations

from typing import Any

from akrites.orgs.models import Membership


def membership_roles(actor: Any) -> frozenset[tuple[int, str]]:
    """(organisation id, role) of every membership of ``actor`` (one query)."""
    return frozenset(Membership.objects.filter(user=actor).values_list("organisation_id", "role"))
