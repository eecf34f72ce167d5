"""Every route and API operation, every role, against the credentials that must not work.

Generated from the URL conf and the OpenAPI document like the authorisation matrix
(``test_matrix.endpoints``), so a new route is covered the day it is added:

- with a bogus ``Authorization`` header, whatever session cookie comes with it (none, a
  password-only session, a session that passed the second factor and stepped up): 401,
  and nothing changes;
- a password-only session of a role that must use a second factor, with no header: the
  API answers 401 ``mfa_required`` and pages send the browser to the code page, everywhere
  but the sign-in, sign-out and code pages themselves.
"""

from __future__ import annotations

import copy
import re

import pytest
from django.db import transaction
from django.test import Client

from akrites.access.tests.conftest import verified
from akrites.access.tests.test_matrix import Endpoint, _fingerprint, endpoints
from akrites.accounts.mfa import mfa_reset
from akrites.audit.models import AuditEntry
from conftest import TEST_PASSWORD

pytestmark = [pytest.mark.mfa, pytest.mark.slow]

BOGUS = ("Bearer nope", "Token akr_0123456789ab_x", "Basic c2lydDp4")
# Pages a signed-in user reaches before the second factor: signing in, out, and the code page.
BEFORE_MFA = ("login/", "logout/", "account/mfa/")


def _password_only(user, system):
    mfa_reset(actor=system, user=user, key_hex="11" * 20)
    client = Client()
    r = client.post("/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert r.status_code == 302, r
    return client


@pytest.fixture
def cast(observed, sirt, coordinator, maintainer, reporter, member_observer, outsider, system):
    """The case (embargoed, observer told) and a client per (role, kind of session)."""
    mfa_roles = {"sirt_lead": sirt, "coordinator": coordinator, "maintainer": maintainer}
    password_only = {name: _password_only(user, system) for name, user in mfa_roles.items()}
    full = {f"{name}+mfa": verified(Client(), user) for name, user in mfa_roles.items()}
    for name, user in (("reporter", reporter), ("observer", member_observer)):
        full[name] = Client()
        full[name].force_login(user)
    full["outsider"] = Client()
    full["outsider"].force_login(outsider)
    report = observed.reports.get()
    values = {
        "case_id": observed.human_id,
        "report_id": report.public_id,
        "project_slug": observed.project.slug,
        "user_id": str(member_observer.pk),
    }
    return observed, password_only, full, values


def _path(ep: Endpoint, values: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), "1"), ep.path)


def _call(client: Client, ep: Endpoint, path: str, **headers: str):
    cookies = copy.deepcopy(client.cookies)  # a sign-out must not end the role's session
    with transaction.atomic():
        if ep.api:
            response = client.generic(
                ep.method, path, "{}", content_type="application/json", headers=headers
            )
        elif ep.method == "GET":
            response = client.get(path, headers=headers)
        else:
            response = client.post(path, {"name": "accept", "reason": "r"}, headers=headers)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def test_a_bogus_authorization_header_opens_nothing(cast):
    case, password_only, full, values = cast
    clients = {"anonymous": Client(), **password_only, **full}
    before = (_fingerprint(case), AuditEntry.objects.count())
    problems, calls = [], 0
    for ep in endpoints():
        path = _path(ep, values)
        for role, client in clients.items():
            for header in BOGUS:
                calls += 1
                r = _call(client, ep, path, authorization=header)
                if r.status_code != 401:
                    problems.append(
                        f"{ep.method} {path} as {role} with {header!r}: {r.status_code}"
                    )
    assert not problems, f"{len(problems)} of {calls} calls not refused:\n" + "\n".join(problems)
    assert (_fingerprint(case), AuditEntry.objects.count()) == before
    assert calls > 2000  # every operation was tried (a guard against an empty enumeration)


def test_a_password_only_session_reaches_nothing_but_the_code_page(cast):
    case, password_only, _, values = cast
    before = (_fingerprint(case), AuditEntry.objects.count())
    problems, calls = [], 0
    for ep in endpoints():
        if not ep.api and ep.key in BEFORE_MFA:
            continue
        path = _path(ep, values)
        for role, client in password_only.items():
            calls += 1
            r = _call(client, ep, path)
            if ep.api:
                ok = r.status_code == 401 and r.json()["error"]["code"] == "mfa_required"
            else:
                ok = r.status_code == 302 and r["Location"].startswith("/account/mfa/")
            if not ok:
                problems.append(f"{ep.method} {path} as {role}: {r.status_code}")
    assert not problems, f"{len(problems)} of {calls} calls not gated:\n" + "\n".join(problems)
    assert (_fingerprint(case), AuditEntry.objects.count()) == before
    assert calls > 500
