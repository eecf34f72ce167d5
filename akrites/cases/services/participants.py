"""Adding and revoking case participants (need-to-know access)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from akrites.access.policy import require
from akrites.accounts.actors import user_of
from akrites.audit.services import audit_append
from akrites.cases.models import Case, CaseParticipant, ParticipantRole
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput, NotFound


@transaction.atomic
def participant_add(
    *, actor: Actor, case: Case, user: Any, role: str, expires_at: datetime | None = None
) -> CaseParticipant:
    """Grant ``user`` a role on ``case``. Raises InvalidInput for an unknown role."""
    require(actor, "case.add_participant", case)
    if role not in ParticipantRole.values:
        raise InvalidInput("role", f"unknown role; one of {', '.join(ParticipantRole.values)}")
    if expires_at is not None and expires_at <= now():
        raise InvalidInput("expires_at", "must be in the future")
    try:
        with transaction.atomic():
            participant = CaseParticipant.objects.create(
                case=case, user=user, role=role, added_by=user_of(actor), expires_at=expires_at
            )
    except IntegrityError:
        raise Conflict("the user already has this role on the case") from None
    audit_append(
        actor=actor,
        action="case.add_participant",
        object_type="case",
        object_id=case.human_id,
        data={"user_id": user.pk, "role": role},
    )
    return participant


@transaction.atomic
def participant_revoke(*, actor: Actor, case: Case, user: Any, role: str) -> None:
    """End a participation at once; the user's next request no longer sees the case."""
    require(actor, "case.add_participant", case)
    updated = CaseParticipant.objects.filter(
        case=case, user=user, role=role, revoked_at__isnull=True
    ).update(revoked_at=now())
    if not updated:
        raise NotFound()
    audit_append(
        actor=actor,
        action="case.revoke_participant",
        object_type="case",
        object_id=case.human_id,
        data={"user_id": user.pk, "role": role},
    )
