"""Who an event on a case will reach by e-mail — so a page can say so instead of "notified".

The same candidates and filters as the fan-out (``services.dispatch``): the roles of the
event's rule, the policy's visibility and timeline checks, never the actor. Each person
counts once, under the first of their roles in the rule; a person without a verified address
counts as unreachable (their delivery will fail with ``no_address``/``unverified_address``).
Whether a mail goes now or in a digest is not part of the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from akrites.cases.models import Case
from akrites.core.actors import Actor
from akrites.notifications import recipients, rules
from akrites.orgs.models import Membership, Role

_NOUNS = {
    rules.SIRT: ("SIRT member", "SIRT members"),
    rules.MAINTAINER: ("maintainer", "maintainers"),
    rules.REPORTER: ("reporter", "reporters"),
    rules.OBSERVER: ("observer", "observers"),
    rules.DOWNSTREAM: ("downstream", "downstreams"),
}


@dataclass(frozen=True)
class Reach:
    """Per role of the rule: how many will get mail, how many have no verified address."""

    told: dict[str, int] = field(default_factory=dict)
    unreachable: dict[str, int] = field(default_factory=dict)
    project_maintainers: int = 0

    @property
    def total(self) -> int:
        return sum(self.told.values())

    def sentence(self) -> str:
        """E.g. "2 maintainers and 1 reporter will be told by e-mail (1 maintainer has no
        verified address)." or "Nobody will be told by e-mail." """
        told = _enumerate(self.told)
        text = f"{told} will be told by e-mail" if told else "Nobody will be told by e-mail"
        missing = _enumerate(self.unreachable)
        if missing:
            verb = "has" if sum(self.unreachable.values()) == 1 else "have"
            text += f" ({missing} {verb} no verified address)"
        return text + "."


def _enumerate(counts: dict[str, int]) -> str:
    parts = [f"{n} {_NOUNS.get(r, (r, r + 's'))[n != 1]}" for r, n in counts.items() if n]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def project_maintainers(case: Case) -> int:
    """How many active maintainers the case's project has (its team's maintainer members)."""
    if case.project.team_id is None:
        return 0
    return Membership.objects.filter(
        organisation_id=case.project.team_id, role=Role.MAINTAINER, user__is_active=True
    ).count()


def reach(*, case: Case, kind: str, actor: Actor) -> Reach:
    """Who event ``kind`` on ``case`` reaches, as the case stands now (after the change)."""
    rule = rules.rule_for(kind)
    aud = recipients.audience([case])
    told: dict[str, int] = {role: 0 for role in rule}
    unreachable: dict[str, int] = {role: 0 for role in rule}
    for uid, roles in aud.for_case(case.pk).items():
        if case.pk not in aud.visible.get(uid, set()) or uid == actor.pk:
            continue
        role = next((r for r in rule if r in roles), None)
        user = aud.users[uid]
        if role is None or not recipients.may_know(user, case, kind):
            continue
        verified = recipients.address_state(user) == recipients.VERIFIED
        (told if verified else unreachable)[role] += 1
    return Reach(told=told, unreachable=unreachable, project_maintainers=project_maintainers(case))
