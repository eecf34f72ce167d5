"""A user's notification preferences: digests only, and their OpenPGP public key."""

from __future__ import annotations

from django.db import transaction

from akrites.access.policy import require
from akrites.accounts.actors import user_of
from akrites.audit.services import audit_append
from akrites.core.actors import Actor
from akrites.core.clock import now
from akrites.notifications.models import Preference
from akrites.notifications.openpgp import recipient_keyring


@transaction.atomic
def preference_update(
    *, actor: Actor, digest_only: bool, openpgp_key: str | None = None
) -> Preference:
    """Set the actor's own preferences.

    ``openpgp_key``: ``None`` keeps the current key, ``""`` removes it, anything else must be
    exactly one usable OpenPGP public key (``InvalidInput("openpgp_key", …)`` otherwise, and
    nothing changes). The audit entry names the key's fingerprint, never the key.
    """
    require(actor, "notifications.preferences")
    pref, _ = Preference.objects.select_for_update().get_or_create(user=user_of(actor))
    pref.digest_only = digest_only
    if openpgp_key is not None:
        if openpgp_key.strip():
            info = recipient_keyring().inspect(openpgp_key)
            pref.openpgp_key = openpgp_key.strip()
            pref.openpgp_fingerprint = info.fingerprint
        else:
            pref.openpgp_key = ""
            pref.openpgp_fingerprint = ""
    pref.updated_at = now()
    pref.save()
    audit_append(
        actor=actor,
        action="notifications.preferences",
        object_type="user",
        object_id=str(actor.pk),
        data={"digest_only": digest_only, "openpgp_fingerprint": pref.openpgp_fingerprint},
    )
    return pref
