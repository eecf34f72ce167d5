"""Writes for organisations and memberships."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from akrites.access.policy import require
from akrites.audit.services import audit_append
from akrites.core.actors import Actor
from akrites.core.errors import Conflict, InvalidInput
from akrites.orgs.models import ROLES_BY_KIND, Membership, Organisation, OrgKind


@transaction.atomic
def org_create(*, actor: Actor, name: str, kind: str, slug: str = "") -> Organisation:
    """Create an organisation.

    Raises InvalidInput for an unknown kind, Conflict for a taken slug.
    """
    require(actor, "org.create")
    if kind not in OrgKind.values:
        raise InvalidInput("kind", f"unknown organisation kind; one of {', '.join(OrgKind.values)}")
    name = name.strip()
    if not name:
        raise InvalidInput("name", "required")
    slug = slug or slugify(name)
    if not slug:
        raise InvalidInput("slug", "cannot derive a slug from the name")
    if Organisation.objects.filter(slug=slug).exists():
        raise Conflict("an organisation with this slug exists")
    org = Organisation.objects.create(slug=slug, name=name, kind=kind)
    audit_append(
        actor=actor, action="org.create", object_type="org", object_id=org.slug, data={"kind": kind}
    )
    return org


@transaction.atomic
def membership_add(*, actor: Actor, org: Organisation, user: Any, role: str) -> Membership:
    """Give ``user`` a role in ``org``; the role must fit the organisation's kind."""
    require(actor, "org.add_member")
    allowed = ROLES_BY_KIND[org.kind]
    if role not in allowed:
        raise InvalidInput(
            "role",
            f"unknown role for a {org.kind} organisation; one of {', '.join(sorted(allowed))}",
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, organisation=org, role=role)
    except IntegrityError:
        raise Conflict("the user already has this role") from None
    audit_append(
        actor=actor,
        action="org.add_member",
        object_type="org",
        object_id=org.slug,
        data={"user_id": user.pk, "role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Actor, org: Organisation, user: Any, role: str) -> None:
    """Remove a role; access that came from it ends at once (policy reads memberships live)."""
    require(actor, "org.add_member")
    deleted, _ = Membership.objects.filter(user=user, organisation=org, role=role).delete()
    if deleted:
        audit_append(
            actor=actor,
            action="org.remove_member",
            object_type="org",
            object_id=org.slug,
            data={"user_id": user.pk, "role": role},
        )
