"""Writes for user accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from akrites.access.policy import require
from akrites.accounts.models import AccountKind, User
from akrites.audit.services import audit_append
from akrites.core.actors import Actor
from akrites.core.errors import Conflict, InvalidInput
from akrites.orgs.models import Organisation, OrgKind


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    email: str = "",
    display_name: str = "",
    staff: bool = False,
) -> User:
    """Create an account (password validated and hashed with Argon2)."""
    require(actor, "org.add_member")
    model = get_user_model()
    username = username.strip()
    if not username or len(username) > 150:
        raise InvalidInput("username", "1 to 150 characters")
    if model.objects.filter(username__iexact=username).exists():
        raise Conflict("this username is taken")
    candidate = model(username=username, email=email, display_name=display_name)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise InvalidInput("password", " ".join(exc.messages)) from None
    user: User = model.objects.create_user(
        username=username,
        email=email,
        password=password,
        display_name=display_name,
        is_staff=staff,
    )
    audit_append(
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=str(user.pk),
        data={"staff": staff},
    )
    return user


@transaction.atomic
def scanner_create(
    *, actor: Actor, username: str, owner: Organisation, display_name: str = ""
) -> User:
    """Create a scanner identity owned by an accountable finder organisation.

    It has no usable password: it authenticates with service tokens only.
    """
    require(actor, "org.add_member")
    if owner.kind != OrgKind.FINDER:
        raise InvalidInput("owner", "a scanner belongs to a finder organisation")
    model = get_user_model()
    if model.objects.filter(username__iexact=username.strip()).exists():
        raise Conflict("this username is taken")
    user: User = model(
        username=username.strip(),
        display_name=display_name,
        kind=AccountKind.SCANNER,
        owner_org=owner,
    )
    user.set_unusable_password()
    user.save()
    audit_append(
        actor=actor,
        action="scanner.create",
        object_type="user",
        object_id=str(user.pk),
        data={"owner": owner.slug},
    )
    return user
