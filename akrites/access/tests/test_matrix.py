"""The authorisation matrix: every URL and API operation x every role x case states.

Endpoints are enumerated from the URL conf and the OpenAPI document; each must have a row in
``EXPECT`` or the test fails. For a route that names a case, the policy decides the answer:
whoever may not see the case (``access.policy``) gets 404 — whatever the method and body —
and nothing changes. Routes of this app are checked both ways (allowed ⇒ not 404). Other
object routes (reports, tokens, projects…) are covered by their apps' own outsider tests and
are only checked here for "no server error, anonymous refused".
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from akrites.access.policy import allowed
from akrites.access.tests.conftest import move, prenotify, verified
from akrites.api.main import api
from akrites.cases.models import Case, CaseParticipant, TimelineEntry
from akrites.cases.services import case_transition
from akrites.confidentiality.models import Embargo, PrenotificationGrant
from akrites.confidentiality.services import embargo_request_extension, prenotify_revoke
from akrites.orgs.services import membership_add, org_create

pytestmark = [pytest.mark.mfa, pytest.mark.slow]

# Rule kinds. EXACT(action): 404 if and only if the policy refuses ``action``.
CASE = ("case", "case.view")  # 404 unless the viewer may see the case; otherwise no 5xx


def EXACT(action: str) -> tuple[str, str]:
    return ("exact", action)


PUBLIC = ("public", "")  # anyone; no 5xx
AUTH = ("auth", "")  # signed-in users; anonymous is sent to sign in (or 401)
OTHER = ("other", "")  # names another kind of object: its app's outsider test covers it

# fmt: off
EXPECT: dict[str, tuple[str, str]] = {
    # --- web: this app and the case room -------------------------------------------------
    "cases/<str:case_id>/": EXACT("case.view"),
    "cases/<str:case_id>/transition/": CASE,
    "cases/<str:case_id>/embargo/": EXACT("case.read_embargo"),
    "cases/<str:case_id>/embargo/<str:op>/": CASE,
    "cases/<str:case_id>/terms/": EXACT("embargo.read_terms"),
    "cases/<str:case_id>/prenotification/": EXACT("prenotify.view_candidates"),
    "cases/<str:case_id>/attachments/<int:attachment_id>/": CASE,
    "cases/<str:case_id>/export.json": EXACT("case.export"),
    "cases/<str:case_id>/advisory/": EXACT("advisory.edit"),
    "cases/<str:case_id>/advisory/start/": CASE,
    "cases/<str:case_id>/advisory/save/": CASE,
    "cases/<str:case_id>/advisory/approve/": CASE,
    "cases/<str:case_id>/advisory/approval/withdraw/": CASE,
    "cases/<str:case_id>/advisory/revise/": CASE,
    "cases/<str:case_id>/advisory/withdraw/": CASE,
    # The conversation: its page is 404 exactly for whoever reads no audience (the widest,
    # "members", is read by every reader of any narrower one: the audiences are nested).
    "cases/<str:case_id>/conversation/": EXACT("message.read_members"),
    "cases/<str:case_id>/conversation/<int:number>/edit/": CASE,
    "cases/<str:case_id>/conversation/attachments/<int:attachment_id>/": CASE,
    "sirt/dashboard/queue/<str:case_id>/claim/": CASE,
    "sirt/dashboard/queue/<str:case_id>/release/": CASE,
    "orgs/<str:org_slug>/sboms/": OTHER,
    "account/mfa/": AUTH, "account/step-up/": AUTH,
    "account/users/<int:user_id>/kill-sessions/": OTHER,
    # --- web: other apps' case routes ------------------------------------------------------
    **{f"cases/<str:case_id>/{rest}": CASE for rest in (
        "triage/", "triage/claim/", "triage/release/", "triage/severity/",
        "triage/exploitation/", "triage/cra/", "triage/spam/",
        "remediation/", "remediation/acknowledge/", "remediation/dispute/",
        "remediation/dates/", "remediation/invite/", "remediation/statements/",
        "remediation/fix-ready/", "remediation/stewardship/", "remediation/release-plan/",
        "patches/", "patches/compare/", "patches/<str:patch_id>/",
        "patches/<str:patch_id>/review/", "patches/<str:patch_id>/choose/",
        "fix.mbox", "fix.patch")},
    # --- web: pages without a case ---------------------------------------------------------
    **{r: PUBLIC for r in (
        "", "login/", "logout/", "report/", "policy/", ".well-known/security.txt",
        ".well-known/akrites-intake-key.asc", "advisories/", "advisories/feed.atom",
        "advisories/rejections/", ".well-known/akrites-signing-key.pem",
        ".well-known/csaf/provider-metadata.json", ".well-known/csaf/white/",
        ".well-known/csaf/white/akrites-csaf-feed-tlp-white.json",
        ".well-known/csaf/white/index.txt", ".well-known/csaf/white/changes.csv",
        "v1/openapi.json", "v1/docs", "v1/query", "v1/querybatch", "v1/", "registry/")},
    **{r: AUTH for r in (
        "sirt/queue/", "sirt/dashboard/", "sirt/dashboard/intake.svg",
        "sirt/dashboard/duplicates.svg", "sirt/dashboard/delays.svg", "inbox/", "my/reports/",
        "sirt/triage/", "sirt/breaches/", "sirt/unrouted/", "notifications/deliveries/",
        "notifications/preferences/", "notifications/outbox/")},
    **{r: OTHER for r in (
        "report/receipt/<str:report_id>/", "report/status/",
        "my/reports/<str:report_id>/", "advisories/<str:public_id>/",
        "sirt/unrouted/<str:report_id>/", "sirt/unrouted/<str:report_id>/register/",
        "sirt/unrouted/<str:report_id>/attach/",
        "advisories/<str:public_id>/<str:filename>", ".well-known/csaf/white/<int:year>/",
        "advisories/<str:public_id>/v/<int:version>/<str:filename>",
        ".well-known/csaf/white/<int:year>/<str:filename>", "v1/vulns/<vuln_id>",
        "notifications/deliveries/<int:delivery_id>/retry/", "scanners/<str:scanner>/",
        "notifications/outbox/<str:name>/", "account/email/confirm/<str:token>/",
        "registry/<str:project_slug>/", "projects/<str:project_slug>/terms/",
        "projects/<str:project_slug>/terms/status/")},
    # --- API: this app ---------------------------------------------------------------------
    "GET /api/v1/cases/{case_id}/embargo": EXACT("case.read_embargo"),
    "PUT /api/v1/cases/{case_id}/embargo": CASE,
    "POST /api/v1/cases/{case_id}/embargo/extensions": CASE,
    "POST /api/v1/cases/{case_id}/embargo/lift": CASE,
    "POST /api/v1/cases/{case_id}/embargo/changes/{change_id}/decision": CASE,
    "POST /api/v1/cases/{case_id}/embargo/break": CASE,
    "GET /api/v1/cases/{case_id}/content": EXACT("case.view"),
    "GET /api/v1/cases/{case_id}/attachments/{attachment_id}": CASE,
    "GET /api/v1/cases/{case_id}/prenotification/candidates": EXACT("prenotify.view_candidates"),
    "POST /api/v1/cases/{case_id}/prenotification": CASE,
    "DELETE /api/v1/cases/{case_id}/prenotification/{user_id}": CASE,
    "GET /api/v1/cases/{case_id}/terms": EXACT("embargo.read_terms"),
    "POST /api/v1/cases/{case_id}/terms/accept": EXACT("embargo.accept_terms"),
    "GET /api/v1/cases/{case_id}/reads": EXACT("case.read_audit"),
    "GET /api/v1/cases/{case_id}/export": EXACT("case.export"),
    "POST /api/v1/orgs/{org_slug}/sboms": OTHER,
    # --- API: case operations of other apps -----------------------------------------------
    "GET /api/v1/cases/{case_id}/messages": EXACT("message.read_members"),
    **{op: CASE for op in (
        "POST /api/v1/cases/{case_id}/messages", "POST /api/v1/cases/{case_id}/messages/read",
        "GET /api/v1/cases/{case_id}/messages/attachments/{attachment_id}",
        "PATCH /api/v1/cases/{case_id}/messages/{number}",
        "GET /api/v1/cases/{case_id}/messages/{number}/versions")},
    "GET /api/v1/cases/{case_id}": EXACT("case.view"),
    "POST /api/v1/cases/{case_id}/transitions": CASE,
    **{op: CASE for op in (
        "GET /api/v1/triage/cases/{case_id}", "POST /api/v1/triage/cases/{case_id}/claim",
        "POST /api/v1/triage/cases/{case_id}/release",
        "POST /api/v1/triage/cases/{case_id}/severity",
        "POST /api/v1/triage/cases/{case_id}/exploitation",
        "POST /api/v1/triage/cases/{case_id}/cra-reports",
        "POST /api/v1/triage/cases/{case_id}/spam",
        "POST /api/v1/advisories/{case_id}", "GET /api/v1/advisories/{case_id}",
        "PATCH /api/v1/advisories/{case_id}", "POST /api/v1/advisories/{case_id}/schedule",
        "POST /api/v1/advisories/{case_id}/cve",
        "POST /api/v1/advisories/{case_id}/approve",
        "POST /api/v1/advisories/{case_id}/approval/withdraw",
        "POST /api/v1/advisories/{case_id}/revise", "POST /api/v1/advisories/{case_id}/withdraw",
        "GET /api/v1/cases/{case_id}/remediation", "POST /api/v1/cases/{case_id}/acknowledge",
        "POST /api/v1/cases/{case_id}/dispute", "PUT /api/v1/cases/{case_id}/dates",
        "POST /api/v1/cases/{case_id}/co-maintainers",
        "POST /api/v1/cases/{case_id}/statements", "GET /api/v1/cases/{case_id}/patches",
        "POST /api/v1/cases/{case_id}/patches", "GET /api/v1/cases/{case_id}/patches/{patch_id}",
        "POST /api/v1/cases/{case_id}/patches/{patch_id}/reviews",
        "POST /api/v1/cases/{case_id}/patches/{patch_id}/choose",
        "POST /api/v1/cases/{case_id}/fix-ready", "GET /api/v1/cases/{case_id}/fix.mbox",
        "GET /api/v1/cases/{case_id}/fix.patch", "POST /api/v1/cases/{case_id}/stewardship",
        "PUT /api/v1/cases/{case_id}/release-plan")},
    # --- API: no case ----------------------------------------------------------------------
    "GET /api/v1/health": PUBLIC,
    **{op: AUTH for op in (
        "GET /api/v1/cases", "GET /api/v1/triage/queue", "GET /api/v1/triage/breaches",
        "GET /api/v1/projects", "POST /api/v1/reports", "GET /api/v1/reports",
        "GET /api/v1/reports/unrouted",
        "POST /api/v1/reports/bulk", "POST /api/v1/tokens", "GET /api/v1/tokens",
        "GET /api/v1/notifications/deliveries", "GET /api/v1/notifications/webhooks",
        "POST /api/v1/notifications/webhooks", "POST /api/v1/advisories/rejections")},
    **{op: OTHER for op in (
        "GET /api/v1/triage/scanners/{scanner}", "PUT /api/v1/triage/senders/{username}/quota",
        "GET /api/v1/projects/{project_slug}", "PUT /api/v1/projects/{project_slug}",
        "POST /api/v1/projects/{project_slug}/security-files",
        "GET /api/v1/reports/{report_id}", "DELETE /api/v1/tokens/{prefix}",
        "POST /api/v1/notifications/deliveries/{delivery_id}/retry",
        "DELETE /api/v1/notifications/webhooks/{subscription_id}",
        "GET /api/v1/notifications/webhooks/{subscription_id}/deliveries",
        "GET /api/v1/projects/{project_slug}/terms", "PUT /api/v1/projects/{project_slug}/terms",
        "POST /api/v1/projects/{project_slug}/status")},
}
# fmt: on


@dataclass(frozen=True)
class Endpoint:
    key: str  # the EXPECT key
    method: str
    path: str  # with {param} placeholders
    api: bool


def _web_routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("api/", "admin/")):
                continue
            yield from _web_routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def endpoints() -> list[Endpoint]:
    found = []
    for route in _web_routes():
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        found += [Endpoint(route, m, path, False) for m in ("GET", "POST")]
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path, methods in schema["paths"].items():
        found += [Endpoint(f"{m.upper()} {path}", m.upper(), path, True) for m in methods]
    return found


def test_every_endpoint_has_a_rule():
    missing = sorted({e.key for e in endpoints() if e.key not in EXPECT})
    assert not missing, f"add these to EXPECT in {__file__}: {missing}"


# ---------------------------------------------------------------------------------------


@pytest.fixture
def world(
    request,
    case,
    sirt,
    coordinator,
    maintainer,
    reporter,
    member_observer,
    outsider,
    other_project,
    orgs,
    system,
):
    """One case in the requested state, and a client per role."""
    from akrites.accounts.models import User

    membership_add(actor=system, org=other_project.team, user=outsider, role="maintainer")
    other_maintainer = outsider
    stranger = User.objects.create_user(username="stranger", password="x-test-password-1")
    pending = User.objects.create_user(username="pending", password="x-test-password-1")
    membership_add(actor=system, org=orgs["member"], user=pending, role="member_observer")
    gone_org = org_create(actor=system, name="Gone", kind="member", slug="gone")
    revoked = User.objects.create_user(username="revoked", password="x-test-password-1")
    membership_add(actor=system, org=gone_org, user=revoked, role="member_observer")
    state = request.param
    if state != "triage":
        case = move(case, sirt, maintainer, "notify_maintainers")
        prenotify(case, maintainer, orgs["member"], accept_by=member_observer)
        from akrites.confidentiality.services import prenotify_grant, terms_accept

        prenotify_grant(actor=maintainer, case=case, organisation=gone_org)
        terms_accept(actor=revoked, case=case)
        prenotify_revoke(actor=maintainer, case=case, user=revoked)
        embargo_request_extension(
            actor=maintainer, case=case, until=Embargo.objects.get(case=case).limit_at, reason="r"
        )
    if state == "disclosed":
        for step, who in (
            ("acknowledge", maintainer),
            ("start_fix", maintainer),
            ("mark_fix_ready", maintainer),
            ("disclose", sirt),
        ):
            case = case_transition(actor=who, case=case, name=step)
    users = {
        "sirt_lead": sirt,
        "coordinator": coordinator,
        "maintainer": maintainer,
        "other_maintainer": other_maintainer,
        "reporter": reporter,
        "observer": member_observer,
        "pending_observer": pending,
        "revoked_observer": revoked,
        "outsider": stranger,
    }
    if state == "triage":  # nobody has been told yet: observers are plain outsiders
        for name in ("observer", "pending_observer", "revoked_observer"):
            users.pop(name)
    clients = {name: verified(Client(), user) for name, user in users.items()}
    clients["anonymous"] = Client()
    users["anonymous"] = None
    change = case.embargo.changes.first() if state != "triage" else None
    values = {
        "case_id": case.human_id,
        "change_id": str(change.pk) if change else "1",
        "user_id": str(member_observer.pk),
        "org_slug": orgs["member"].slug,
        "report_id": case.reports.get().public_id,
        "project_slug": case.project.slug,
    }
    return case, users, clients, values


def _fingerprint(case: Case) -> tuple[object, ...]:
    return (
        Case.objects.filter(pk=case.pk).values_list("status", "updated_at").get(),
        TimelineEntry.objects.filter(case=case).count(),
        CaseParticipant.objects.filter(case=case, revoked_at__isnull=True).count(),
        PrenotificationGrant.objects.filter(case=case, revoked_at__isnull=True).count(),
        tuple(Embargo.objects.filter(case=case).values_list("ends_at", "state")),
    )


def _call(client: Client, ep: Endpoint, values: dict[str, str]) -> int:
    path = re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), "1"), ep.path)
    cookies = copy.deepcopy(client.cookies)  # a sign-out must not end the role's session
    with transaction.atomic():
        try:
            if ep.api:
                response = client.generic(ep.method, path, "{}", content_type="application/json")
            elif ep.method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, {"name": "accept", "reason": "r"})
        except Exception as exc:  # a server error is a failure of its own
            status = 500
            note = type(exc).__name__
        else:
            status, note = response.status_code, response.get("Location", "")
        transaction.set_rollback(True)
    client.cookies = cookies
    return status if status != 302 or "/login/" not in note else 401


def check(ep: Endpoint, rule: tuple[str, str], users, clients, values, case) -> list[str]:
    """Violations of ``rule`` by ``ep`` for every role (empty when the policy holds)."""
    kind, action = rule
    problems = []
    for role, client in clients.items():
        user = users[role]
        if kind == "case" and user is not None and allowed(user, "case.view", case):
            continue  # visible: the owning app's tests say what happens next
        before = _fingerprint(case)
        status = _call(client, ep, values)
        where = f"{ep.method} {ep.path} as {role}: {status}"
        if status >= 500:
            problems.append(f"{where} (server error)")
        elif user is None and kind in ("case", "exact", "auth") and status not in (401, 404):
            problems.append(f"{where} (anonymous must sign in)")
        elif user is None or kind not in ("case", "exact"):
            continue
        elif kind == "exact" and allowed(user, action, case):
            if status in (404, 403):
                problems.append(f"{where} (policy allows {action}: must not be {status})")
        elif not allowed(user, "case.view", case) and not allowed(user, action, case):
            # Invisible: the same answer as for a missing case — 404, or a refusal that comes
            # before any lookup (405 method, 422 body shape) and is the same for both.
            missing = _call(client, ep, {**values, "case_id": "AKR-1999-99999"})
            if status not in (404, 405, 422) or status != missing:
                problems.append(
                    f"{where} (policy refuses {action}: must be 404, missing={missing})"
                )
            elif _fingerprint(case) != before:
                problems.append(f"{where} (state changed)")
        elif kind == "exact" and status not in (403, 404, 405):
            problems.append(f"{where} (visible case, policy refuses {action}: 403 or 404)")
    return problems


@pytest.mark.parametrize("world", ["triage", "embargoed", "disclosed"], indirect=True)
def test_matrix(world):
    case, users, clients, values = world
    # The maintainers become a party when the SIRT notifies them, not before: in triage
    # every case route answers them as it answers an outsider (404), checked below.
    assert allowed(users["maintainer"], "case.view", case) == (case.status != "triage")
    problems = []
    for ep in endpoints():
        rule = EXPECT.get(ep.key)
        if rule is None:
            problems.append(f"{ep.key}: no rule in EXPECT")
        elif "{case_id}" in ep.path or rule[0] == "exact":
            problems += check(ep, rule, users, clients, values, case)
        elif rule[0] in ("auth", "public", "other"):
            small = {r: clients[r] for r in ("anonymous", "outsider", "coordinator")}
            problems += check(ep, rule, users, small, values, case)
    assert not problems, "\n".join(problems)


def test_the_matrix_catches_a_view_that_forgets_the_selector(world_leaky, settings):
    case, users, clients, values = world_leaky
    settings.ROOT_URLCONF = "akrites.access.tests.leaky_urls"
    ep = Endpoint("leak", "GET", "/leak/{case_id}/", False)
    problems = check(ep, CASE, users, clients, values, case)
    assert any("as outsider: 200" in p for p in problems)
    assert any("as other_maintainer: 200" in p for p in problems)


@pytest.fixture
def world_leaky(
    request,
    case,
    sirt,
    coordinator,
    maintainer,
    reporter,
    member_observer,
    outsider,
    other_project,
    orgs,
    system,
):
    request.param = "triage"
    return world.__wrapped__(
        request,
        case,
        sirt,
        coordinator,
        maintainer,
        reporter,
        member_observer,
        outsider,
        other_project,
        orgs,
        system,
    )
