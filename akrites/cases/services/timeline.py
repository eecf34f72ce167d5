"""The one way other apps add an entry to a case's timeline that is not a case transition
(those are ``case_transition``'s): an embargo decision, a pre-notification, an advisory
step, a merge, a remediation decision.

The entry is written in the caller's transaction, so it exists exactly when the state
change it records does. The caller has checked the policy for the change itself; this adds
no check of its own, because the timeline records what a permitted service did.
"""

from __future__ import annotations

import re

from django.db import transaction

from akrites.accounts.actors import user_or_none
from akrites.audit.services import actor_fields
from akrites.cases.models import Case, TimelineEntry, Visibility
from akrites.cases.services.transitions import MAX_REASON
from akrites.core.actors import Actor
from akrites.core.clock import now

# A kind is an identifier chosen by code, shown as is in the case room; it never carries
# case content (that goes, encrypted, into ``reason``).
_KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")


def timeline_record(
    *, actor: Actor, case: Case, kind: str, visibility: str, reason: str = "", status: str = ""
) -> TimelineEntry:
    """Add a ``kind`` entry, readable by ``visibility`` and above, to ``case``'s timeline.

    ``reason`` is a short human text (stored encrypted; no report text); ``status`` is the
    case status to show beside it, if any. Raises ValueError for a kind that is not an
    identifier, an unknown visibility or a reason over ``MAX_REASON`` characters (all are
    the calling code's mistakes), RuntimeError outside a transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("timeline_record needs the caller's transaction")
    if not _KIND.fullmatch(kind):
        raise ValueError(f"timeline kind {kind!r} is not an identifier")
    if visibility not in Visibility.values:
        raise ValueError(f"unknown timeline visibility {visibility!r}")
    if len(reason) > MAX_REASON:
        raise ValueError(f"a timeline reason holds at most {MAX_REASON} characters")
    return TimelineEntry.objects.create(
        case=case,
        at=now(),
        actor=user_or_none(actor),
        actor_label=actor_fields(actor)[1],
        kind=kind,
        old_status=status,
        new_status=status,
        reason=reason,
        visibility=visibility,
    )
