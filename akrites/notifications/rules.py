"""Who hears about what, and how soon: the notification policy as a table.

``RULES`` maps an event kind to the case roles told of it and whether they are told now
(``NOW``) or in their next digest (``DIGEST``). Every recipient is then filtered through
``akrites.access.policy`` (may they see the case, may they read this kind of timeline entry),
so a rule can never widen access. Kinds not listed reach the SIRT and maintainers by digest.
"""

from __future__ import annotations

from typing import Any

NOW = "now"
DIGEST = "digest"

SIRT = "sirt"
MAINTAINER = "maintainer"
REPORTER = "reporter"
OBSERVER = "observer"
DOWNSTREAM = "downstream"

# fmt: off
RULES: dict[str, dict[str, str]] = {
    # A flood of reports must not become a flood of mail: the SIRT gets digests. Maintainers
    # hear of a case when the SIRT notifies them (they are no party before: access.policy).
    "report.received": {SIRT: DIGEST},
    "case.accept": {REPORTER: NOW},
    "case.reject": {REPORTER: NOW},
    "case.mark_duplicate": {REPORTER: NOW},
    "case.mark_already_public": {REPORTER: NOW},
    "case.reopen": {REPORTER: DIGEST, SIRT: DIGEST},
    "case.notify_maintainers": {MAINTAINER: NOW, REPORTER: DIGEST},
    "case.acknowledge": {SIRT: NOW, REPORTER: DIGEST},
    "case.dispute": {SIRT: NOW, REPORTER: DIGEST},
    "case.resume": {MAINTAINER: NOW, REPORTER: DIGEST},
    "case.escalate": {SIRT: NOW, MAINTAINER: NOW},
    "case.enter_stewardship": {MAINTAINER: NOW, REPORTER: DIGEST},
    "case.start_fix": {SIRT: DIGEST, REPORTER: DIGEST},
    "case.mark_fix_ready": {SIRT: NOW, REPORTER: DIGEST},
    "case.prenotify": {OBSERVER: NOW, DOWNSTREAM: NOW, SIRT: DIGEST},
    # One person told under embargo (confidentiality.prenotify_grant): addressed, see below.
    "prenotify.told": {OBSERVER: NOW, DOWNSTREAM: NOW},
    "case.disclose": {REPORTER: NOW, MAINTAINER: DIGEST, OBSERVER: DIGEST, DOWNSTREAM: DIGEST},
    # An embargo break tells every participant at once.
    "case.break_embargo": {SIRT: NOW, MAINTAINER: NOW, REPORTER: NOW, OBSERVER: NOW,
                           DOWNSTREAM: NOW},
    "case.close": {REPORTER: DIGEST},
    # Case messages (akrites.conversation), by audience: whoever may read it hears of it
    # now (the author excepted); the policy's read rule filters every recipient.
    "message.sirt": {SIRT: NOW},
    "message.maintainers": {SIRT: NOW, MAINTAINER: NOW},
    "message.parties": {SIRT: NOW, MAINTAINER: NOW, REPORTER: NOW},
    "message.members": {SIRT: NOW, MAINTAINER: NOW, REPORTER: NOW, OBSERVER: NOW,
                        DOWNSTREAM: NOW},
    # Delivery failures: the SIRT's platform digest (and the deliveries page, always).
    "notification.failed": {SIRT: DIGEST},
}
# fmt: on
DEFAULT_RULE: dict[str, str] = {SIRT: DIGEST, MAINTAINER: DIGEST}

# Kinds that name their one recipient (``data["user"]``): only that person is told, and they
# need only have been told of the case (its terms readable), not have accepted the terms yet.
ADDRESSED = frozenset({"prenotify.told"})

# Kinds that bypass the hourly quota and digest-only preferences. Critical severity bypasses
# digest-only and the digest window, but not the quota (a flood of "critical" reports must
# not bury a maintainer either).
ALWAYS_NOW = frozenset({"case.break_embargo"})
CRITICAL = frozenset({"critical"})


def rule_for(kind: str) -> dict[str, str]:
    return RULES.get(kind, DEFAULT_RULE)


def is_critical(*, kind: str, data: dict[str, Any], case: Any) -> bool:
    """True for an embargo break or a critical case.

    Severity belongs to triage; its field may not exist yet or may be named differently, so
    it is read defensively from the event data and from the case.
    """
    if kind in ALWAYS_NOW:
        return True
    values = [data.get("severity")]
    if case is not None:
        values += [getattr(case, name, None) for name in ("severity", "severity_rating")]
    return any(isinstance(v, str) and v.lower() in CRITICAL for v in values)
