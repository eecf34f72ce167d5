"""Demo data for newcomers: the SIRT, two members, three projects, one user per role, cases.

Idempotent: a second run finds the demo in place and only returns its credentials.
Passwords are random per installation and kept in ``var/demo-credentials.json`` (mode 0600),
so no password is ever committed and re-runs print the same logins.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from akrites.accounts.mfa import mfa_reset
from akrites.accounts.models import User
from akrites.accounts.services import scanner_create, user_create
from akrites.accounts.tokens import token_issue
from akrites.cases import services as cases
from akrites.confidentiality.services import embargo_set_date, prenotify_consent, sbom_register
from akrites.core.actors import SystemActor
from akrites.core.clock import now
from akrites.disclosure.services import advisory_create
from akrites.intake.services import report_create
from akrites.orgs.models import Organisation, OrgKind, Role
from akrites.orgs.services import membership_add, org_create
from akrites.projects.services import package_add, project_create
from akrites.remediation.services import patch_choose, patch_propose

SYSTEM = SystemActor("demo")


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    organisation: str
    password: str
    staff: bool = False
    api_token: str | None = None
    # Base32 TOTP secret of the pre-enrolled authenticator (SIRT and maintainers need one).
    totp_secret: str | None = None


# (username, role, organisation slug, staff)
CAST: tuple[tuple[str, str, str, bool], ...] = (
    ("sirt-lead", Role.SIRT_LEAD, "akrites-sirt", True),
    ("sirt-coordinator", Role.SIRT_COORDINATOR, "akrites-sirt", True),
    ("maintainer", Role.MAINTAINER, "yamlkit-team", False),
    ("member-observer", Role.MEMBER_OBSERVER, "nimbus-cloud", False),
    ("member-admin", Role.MEMBER_ADMIN, "orbital-linux", False),
    ("reporter", Role.REPORTER, "independent-researchers", False),
    ("downstream", Role.DOWNSTREAM, "harbor-distro", False),
)

ORGS: tuple[tuple[str, str, str], ...] = (
    ("akrites-sirt", "Akrites SIRT", OrgKind.SIRT),
    ("nimbus-cloud", "Nimbus Cloud", OrgKind.MEMBER),
    ("orbital-linux", "Orbital Linux", OrgKind.MEMBER),
    ("yamlkit-team", "yamlkit maintainers", OrgKind.PROJECT_TEAM),
    ("rivet-team", "rivet maintainers", OrgKind.PROJECT_TEAM),
    ("pixelforge-team", "pixelforge maintainers", OrgKind.PROJECT_TEAM),
    ("independent-researchers", "Independent researchers", OrgKind.FINDER),
    ("deepscan-labs", "DeepScan Labs", OrgKind.FINDER),
    ("harbor-distro", "Harbor distribution", OrgKind.DOWNSTREAM),
)

PROJECTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("yamlkit", "yamlkit", "yamlkit-team", ("pkg:pypi/yamlkit", "pkg:npm/yamlkit")),
    ("rivet", "rivet", "rivet-team", ("pkg:cargo/rivet",)),
    ("pixelforge", "pixelforge", "pixelforge-team", ("pkg:pypi/pixelforge",)),
)

# (title, purl, transitions to apply in order)
CASES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Billion-laughs expansion in yamlkit.load", "pkg:pypi/yamlkit", ()),
    ("Heap overflow in rivet frame decoder", "pkg:cargo/rivet", ("accept",)),
    ("Path traversal in pixelforge cache", "pkg:pypi/pixelforge", ("accept", "notify_maintainers")),
    (
        "Anchor alias loop in yamlkit npm build",
        "pkg:npm/yamlkit",
        ("accept", "notify_maintainers", "acknowledge", "start_fix"),
    ),
    (
        "Unbounded recursion in yamlkit.dump",
        "pkg:pypi/yamlkit",
        ("accept", "notify_maintainers", "acknowledge", "start_fix", "mark_fix_ready", "disclose"),
    ),
    ("Spam: 'your website has SEO issues'", "pkg:pypi/pixelforge", ("reject",)),
)


def _credentials_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-credentials.json"


# Roles that must sign in with a second factor: the demo pre-enrols an authenticator for them.
MFA_ROLES = frozenset({Role.SIRT_LEAD, Role.SIRT_COORDINATOR, Role.MAINTAINER})

# Accounts that get API tokens in the demo: the human reporter and the scanner identity.
SCANNER = ("scanner-bot", "scanner", "deepscan-labs")
TOKEN_HOLDERS = ("reporter", SCANNER[0])


def _read_credentials() -> dict[str, dict[str, str]]:
    path = _credentials_path()
    if path.exists():
        data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
        if "passwords" in data:
            return data
    data = {
        "passwords": {name: f"demo-{secrets.token_urlsafe(12)}" for name, *_ in CAST},
        "tokens": {},
        "totp": _new_totp_secrets(),
    }
    _write_credentials(data)
    return data


def _write_credentials(data: dict[str, dict[str, str]]) -> None:
    path = _credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)


def _new_totp_secrets() -> dict[str, str]:
    # 20 random bytes, base32: what authenticator apps expect.
    return {
        name: base64.b32encode(secrets.token_bytes(20)).decode()
        for name, role, *_ in CAST
        if role in MFA_ROLES
    }


def demo_users() -> list[DemoUser]:
    creds = _read_credentials()
    tokens = creds.get("tokens", {})
    totp = creds.get("totp", {})
    users = [
        DemoUser(u, r, o, creds["passwords"][u], staff, tokens.get(u), totp.get(u))
        for u, r, o, staff in CAST
    ]
    users.append(DemoUser(SCANNER[0], SCANNER[1], SCANNER[2], "", False, tokens.get(SCANNER[0])))
    return users


@transaction.atomic
def load_demo() -> list[DemoUser]:
    """Create the demo data unless it exists; return the demo users."""
    users = demo_users()
    if Organisation.objects.filter(slug="akrites-sirt").exists():
        _enrol_authenticators()
        _give_addresses()
        return demo_users()
    orgs = {
        slug: org_create(actor=SYSTEM, name=name, kind=kind, slug=slug) for slug, name, kind in ORGS
    }
    people: dict[str, User] = {}
    for demo in users:
        if demo.username == SCANNER[0]:
            continue
        user = user_create(
            actor=SYSTEM,
            username=demo.username,
            password=demo.password,
            display_name=demo.username.replace("-", " ").title(),
            staff=demo.staff,
        )
        membership_add(actor=SYSTEM, org=orgs[demo.organisation], user=user, role=demo.role)
        people[demo.username] = user
    people[SCANNER[0]] = scanner_create(
        actor=SYSTEM, username=SCANNER[0], owner=orgs[SCANNER[2]], display_name="DeepScan bot"
    )
    _give_addresses()
    creds = _read_credentials()
    for holder in TOKEN_HOLDERS:
        issued = token_issue(
            actor=SYSTEM, user=people[holder], name="demo", scopes=["read", "submit"]
        )
        creds["tokens"][holder] = issued.secret
    _write_credentials(creds)
    for slug, name, team, purls in PROJECTS:
        project = project_create(
            actor=SYSTEM,
            name=name,
            slug=slug,
            team=orgs[team],
            repository_url=f"https://example.org/{slug}.git",
        )
        for purl in purls:
            package_add(actor=SYSTEM, project=project, purl=purl)
    opened: dict[str, Any] = {}
    actors: dict[str, Any] = {
        "acknowledge": people["maintainer"],
        "start_fix": people["maintainer"],
        "mark_fix_ready": people["maintainer"],
    }
    for title, purl, steps in CASES:
        report = report_create(
            actor=people["reporter"],
            title=title,
            purl=purl,
            body=f"{title}. Reproduction steps and a proof of concept follow.",
        )
        case = report.case
        assert case is not None
        opened[title] = case
        for step in steps:
            cases.case_transition(
                actor=actors.get(step, people["sirt-lead"]),
                case=case,
                name=step,
                reason=_reason(step),
            )
    _load_prenotification(orgs, people, opened)
    _load_conversation(people, opened)
    _enrol_authenticators()
    return demo_users()


# (case title, author, audience, text): a conversation a newcomer finds in the demo, each
# message told to its audience by mail (the demo's SMTP sink shows them on the Outbox page).
CONVERSATION: tuple[tuple[str, str, str, str], ...] = (
    (
        "Anchor alias loop in yamlkit npm build",
        "sirt-coordinator",
        "parties",
        "Thanks for the report. Which **yamlkit version** did you test, and does the "
        "loop need an anchor you control?",
    ),
    (
        "Anchor alias loop in yamlkit npm build",
        "reporter",
        "parties",
        "1.2.0 and main. Yes: any document with an alias to its own anchor; the PoC is in the "
        "report.",
    ),
    (
        "Anchor alias loop in yamlkit npm build",
        "sirt-lead",
        "maintainers",
        "Maintainers: we reproduced it on 1.2.0; the proposed fix looks right to us.",
    ),
)


def _load_conversation(people: dict[str, User], opened: dict[str, Any]) -> None:
    from akrites.conversation.services import message_post

    for title, author, audience, text in CONVERSATION:
        message_post(actor=people[author], case=opened[title], audience=audience, body=text)


# Every demo user's address: <username>@demo.akrites.test (``.test`` is reserved, RFC 2606),
# so mail from the demo reaches the SMTP sink of ``make run`` and nothing beyond it.
DEMO_MAIL_DOMAIN = "demo.akrites.test"


def _give_addresses() -> None:
    """Set and verify each demo user's address, as the operator would (idempotent; an
    install from before addresses gets them now)."""
    from akrites.accounts.addresses import email_mark_verified

    names = [u for u, *_ in CAST] + [SCANNER[0]]
    for user in User.objects.filter(username__in=names).order_by("pk"):
        if not user.has_verified_email:
            address = f"{user.username}@{DEMO_MAIL_DOMAIN}"
            email_mark_verified(actor=SYSTEM, user=user, address=address)


# Pre-notification (confidentiality): each member's SBOM, as (org slug, uploader, name,
# components (versionless purl, version)), loaded through the real SBOM service.
SBOMS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "nimbus-cloud",
        "member-observer",
        "nimbus-platform",
        (("pkg:pypi/yamlkit", "1.2.0"), ("pkg:pypi/pixelforge", "2.1.0")),
    ),
    (
        "orbital-linux",
        "member-admin",
        "orbital-base-image",
        (("pkg:cargo/rivet", "0.9.3"), ("pkg:npm/yamlkit", "1.2.0")),
    ),
)
# The case members can be told of in the demo: being fixed, a canonical fix chosen, an
# advisory drafted, the embargo ending within the pre-notification lead time, and the
# maintainers' consent that the SIRT lead may tell members (orbital-linux runs the package).
PRENOTIFY_CASE = "Anchor alias loop in yamlkit npm build"
PRENOTIFY_EMBARGO_DAYS = 14
DEMO_FIX = """--- a/src/alias.js
+++ b/src/alias.js
@@ -1,3 +1,4 @@
 function resolve(node, seen) {
+  if (seen.has(node)) throw new Error("alias loop");
   seen.add(node);
   return node.target;
"""


def _cyclonedx(name: str, components: tuple[tuple[str, str], ...]) -> bytes:
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "version": 1,
            "metadata": {"component": {"type": "application", "name": name}},
            "components": [
                {
                    "type": "library",
                    "name": purl.rsplit("/", 1)[1],
                    "version": version,
                    "purl": f"{purl}@{version}",
                }
                for purl, version in components
            ],
        }
    ).encode()


def _load_prenotification(
    orgs: dict[str, Organisation], people: dict[str, User], opened: dict[str, Any]
) -> None:
    """The members' SBOMs, and one case ready for pre-notification (see ``PRENOTIFY_CASE``)."""
    for slug, uploader, name, components in SBOMS:
        sbom_register(
            actor=people[uploader],
            organisation=orgs[slug],
            name=name,
            document=_cyclonedx(name, components),
        )
    case = opened[PRENOTIFY_CASE]
    maintainer = people["maintainer"]
    fix = patch_propose(actor=maintainer, case=case, title="Refuse alias loops", diff=DEMO_FIX)
    patch_choose(actor=maintainer, case=case, patch_id=fix.public_id)
    advisory_create(actor=maintainer, case=case)
    ends = (now() + timedelta(days=PRENOTIFY_EMBARGO_DAYS)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    while ends.weekday() >= 5:
        ends += timedelta(days=1)
    embargo_set_date(actor=maintainer, case=case, ends_at=ends)
    prenotify_consent(actor=maintainer, case=case, given=True)


def _enrol_authenticators() -> None:
    """Give each demo SIRT member and maintainer a confirmed TOTP device (idempotent; an
    install from before MFA gets its secrets now)."""
    from akrites.accounts.mfa import has_device

    creds = _read_credentials()
    if not creds.get("totp"):
        creds["totp"] = _new_totp_secrets()
        _write_credentials(creds)
    for username, secret in creds["totp"].items():
        user = User.objects.filter(username=username).first()
        if user is not None and not has_device(user):
            key = base64.b32decode(secret).hex()
            mfa_reset(actor=SYSTEM, user=user, key_hex=key)


def totp_code(username: str) -> str:
    """The current code of a demo user's authenticator (for newcomers without an app)."""
    import pyotp

    secret = _read_credentials().get("totp", {}).get(username)
    if not secret:
        raise KeyError(username)
    return str(pyotp.TOTP(secret).now())


def _reason(step: str) -> str:
    return {"reject": "Not a vulnerability report (spam)."}.get(step, "")


def demo_json() -> str:
    return json.dumps([asdict(u) for u in demo_users()], indent=2)
