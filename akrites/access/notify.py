"""How confidentiality events reach people: through the notifications outbox only.

``announce_embargo_broken`` runs inside the break's transaction: the outbox records the event
with it (identifiers only) and dispatches after commit, telling every participant at once
(the notifications rule for ``case.break_embargo`` is "everyone, now"). If
``case_transition`` itself starts emitting ``case.<transition>`` events, drop this call.
"""

from __future__ import annotations

from typing import Any

from akrites.cases.models import Case


def announce_embargo_broken(*, actor: Any, case: Case) -> None:
    from akrites.notifications.services import notify  # called, never calls back

    notify("case.break_embargo", case_id=case.pk, actor=actor, data={"case": case.human_id})
