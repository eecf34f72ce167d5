"""Who may be told about a case: candidates by role, then filtered through ``access.policy``.

Candidates come from where roles come from (SIRT memberships, the project team's maintainers,
reporters, active participants); the policy then decides. ``visible_cases`` is asked once per
candidate for a whole batch of cases, so a thousand-event flood costs a query per person, not
per event. For transitions whose timeline entry is restricted (``escalate`` is for maintainers
and the SIRT), the recipient must also be able to read that entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from akrites.access.policy import allowed, case_roles
from akrites.accounts.models import User
from akrites.cases.lifecycle import BY_NAME
from akrites.cases.models import Case, CaseParticipant
from akrites.cases.parties import timeline_visibilities, visible_cases
from akrites.conversation.audiences import read_action
from akrites.core.clock import now
from akrites.notifications import rules
from akrites.orgs.models import SIRT_ROLES, Membership, OrgKind, Role

# Where a user's mail can go: only a verified address receives notifications; the other two
# are the delivery failure codes (``last_error``) of a mail that had nowhere to go.
VERIFIED = "verified"
NO_ADDRESS = "no_address"
UNVERIFIED = "unverified_address"


def address_state(user: User | None) -> str:
    if user is None or not user.email:
        return NO_ADDRESS
    return VERIFIED if user.has_verified_email else UNVERIFIED


@dataclass
class Audience:
    """Candidates per case, with the notification roles each holds there."""

    roles: dict[int, dict[int, set[str]]] = field(default_factory=dict)  # case → user → roles
    users: dict[int, User] = field(default_factory=dict)
    visible: dict[int, set[int]] = field(default_factory=dict)  # user → visible case ids

    def for_case(self, case_id: int) -> dict[int, set[str]]:
        return self.roles.get(case_id, {})


def _add(aud: Audience, case_id: int, user: User, role: str) -> None:
    aud.users.setdefault(user.pk, user)
    aud.roles.setdefault(case_id, {}).setdefault(user.pk, set()).add(role)


def sirt_users() -> list[User]:
    return list(
        User.objects.filter(memberships__role__in=SIRT_ROLES, is_active=True)
        .distinct()
        .order_by("pk")
    )


def audience(cases: Iterable[Case]) -> Audience:
    """Candidates for every case in ``cases``, already filtered by ``visible_cases``."""
    from akrites.intake.models import Report  # intake depends on cases; import at use.

    by_id = {c.pk: c for c in cases}
    aud = Audience()
    if not by_id:
        return aud
    sirt = sirt_users()
    teams: dict[int, list[User]] = defaultdict(list)
    team_ids = {c.project.team_id for c in by_id.values() if c.project.team_id}
    for m in Membership.objects.filter(
        organisation_id__in=team_ids, role=Role.MAINTAINER, user__is_active=True
    ).select_related("user"):
        teams[m.organisation_id].append(m.user)
    for case in by_id.values():
        for user in sirt:
            _add(aud, case.pk, user, rules.SIRT)
        for user in teams.get(case.project.team_id or 0, []):
            _add(aud, case.pk, user, rules.MAINTAINER)
    for r in Report.objects.filter(
        case_id__in=by_id, reporter__isnull=False, reporter__is_active=True
    ).select_related("reporter"):
        _add(aud, r.case_id, r.reporter, rules.REPORTER)  # type: ignore[arg-type]
    t = now()
    for p in (
        CaseParticipant.objects.filter(case_id__in=by_id, revoked_at__isnull=True)
        .exclude(expires_at__lte=t)
        .select_related("user")
    ):
        _add(aud, p.case_id, p.user, p.role)
    # The policy decides, once per person for the whole batch.
    for user in aud.users.values():
        mine = [cid for cid, people in aud.roles.items() if user.pk in people]
        aud.visible[user.pk] = set(
            visible_cases(user).filter(pk__in=mine).values_list("pk", flat=True)
        )
    return aud


def addressed(aud: Audience, case: Case, user_id: object) -> dict[int, set[str]]:
    """The one recipient an addressed event names (``rules.ADDRESSED``): that candidate of the
    case, if they see it or may at least read its embargo terms (told, not yet accepted)."""
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return {}
    roles = aud.for_case(case.pk).get(user_id)
    if not roles:
        return {}
    seen = case.pk in aud.visible.get(user_id, set())
    if seen or allowed(aud.users[user_id], "embargo.read_terms", case):
        return {user_id: roles}
    return {}


# Events an anonymous reporter is mailed about (at the contact address they left): a message
# to an audience the reporters read. Only messages: each is a person's decision to write to
# them, so an address typed into the web form cannot be made a target of automatic mail.
CONTACT_KINDS = frozenset({"message.parties", "message.members"})


def anonymous_contacts(case_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Per case, the contact addresses of its anonymous reports → the first such report's id."""
    from akrites.intake.models import Report  # intake depends on cases; import at use.

    found: dict[int, dict[str, str]] = defaultdict(dict)
    rows = (
        Report.objects.filter(case_id__in=list(case_ids), reporter__isnull=True)
        .order_by("created_at", "pk")
        .only("case_id", "contact", "public_id")
    )
    for r in rows:
        address = (r.contact or "").strip()
        if address and "@" in address and r.case_id is not None:
            found[r.case_id].setdefault(address.lower(), r.public_id)
    return found


def may_know(user: Any, case: Case, kind: str) -> bool:
    """May ``user`` read the timeline entry this event kind stands for?

    Only case transitions carry a timeline visibility; other kinds need case visibility only,
    which the audience already checked.
    """
    if kind.startswith("message."):  # a message: may they read its audience?
        return allowed(user, read_action(kind.removeprefix("message.")), case)
    if not kind.startswith("case."):
        return True
    transition = BY_NAME.get(kind.removeprefix("case."))
    if transition is None:
        return True
    return transition.visibility in timeline_visibilities(case_roles(user, case))


def org_may_know(org_id: int, org_kind: str, case: Case | None, kind: str) -> bool:
    """May an organisation's webhook hear of this event?

    Yes when at least one current member may see the case (and read the entry), so a
    subscription never outlives the access of the people behind it. Events without a case
    (platform events) go only to the SIRT's own organisation.
    """
    if case is None:
        return org_kind == OrgKind.SIRT
    members = User.objects.filter(memberships__organisation_id=org_id, is_active=True).distinct()
    return any(
        visible_cases(m).filter(pk=case.pk).exists() and may_know(m, case, kind) for m in members
    )
