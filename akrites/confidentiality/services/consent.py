"""The maintainers' consent that the SIRT lead may pre-notify members of a case.

Pre-notification stays the maintainers' decision: without a consent in force the SIRT lead is
refused (``access.rules``: ``prenotify.view_candidates``, ``prenotify.grant``), and
``consent_missing`` says why and who gives it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from akrites.access.policy import SIRT_LEAD, allowed, case_facts, require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import audit_append
from akrites.cases.models import Case
from akrites.confidentiality.models import PrenotifyConsent
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.core.errors import PermissionDenied

CONSENT_MISSING = (
    "The project's maintainers have not consented to the SIRT pre-notifying members of this "
    "case. A maintainer of the project gives that consent on this page; until then the "
    "maintainers decide whom to tell."
)


def consent_in_force(case: Any) -> bool:
    """Provides ``access.facts.prenotify_consented``."""
    return PrenotifyConsent.objects.filter(case_id=case.pk, withdrawn_at__isnull=True).exists()


def require_prenotify(actor: Actor, action: str, case: Case) -> None:
    """``require`` for the pre-notification actions, saying why when only the maintainers'
    consent is missing: the SIRT lead on an open case without it gets ``CONSENT_MISSING``."""
    if not allowed(actor, action, case):
        facts = case_facts(actor, case)
        lead = facts is not None and not facts.published and SIRT_LEAD in facts.roles
        if lead and not consent_in_force(case):
            raise PermissionDenied(CONSENT_MISSING)
    require(actor, action, case)


def consent_get(case: Case) -> PrenotifyConsent | None:
    """The consent in force on ``case`` (for those who may see its pre-notification page)."""
    return (
        PrenotifyConsent.objects.select_related("given_by")
        .filter(case=case, withdrawn_at__isnull=True)
        .first()
    )


@transaction.atomic
def prenotify_consent(*, actor: Actor, case: Case, given: bool) -> PrenotifyConsent | None:
    """Give (``given``) or withdraw the consent; idempotent. Only the case's maintainers,
    while it is unpublished (``prenotify.consent``). Grants already made stay in force: the
    maintainers revoke them one by one. Returns the consent now in force, if any."""
    require(actor, "prenotify.consent", case)
    current = (
        PrenotifyConsent.objects.select_for_update()
        .filter(case=case, withdrawn_at__isnull=True)
        .first()
    )
    if given and current is None:
        current = PrenotifyConsent.objects.create(
            case=case, given_by=user_or_none(actor), given_at=now()
        )
    elif not given and current is not None:
        current.withdrawn_by = user_or_none(actor)
        current.withdrawn_at = now()
        current.save(update_fields=["withdrawn_by", "withdrawn_at"])
        current = None
    else:
        return current
    audit_append(
        actor=actor,
        action="prenotify.consent" if given else "prenotify.consent_withdraw",
        object_type="case",
        object_id=case.human_id,
        data={},
    )
    return current
