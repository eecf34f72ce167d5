"""Schema-driven fuzzing of every /api/v1/ operation (schemathesis), as every kind of caller.

Checks: no 5xx for any generated input, and every response conforms to the OpenAPI
document. Short form for CI (a few dozen examples per operation); `make bench` can raise
AKRITES_FUZZ_EXAMPLES for the long form.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from akrites.accounts.tokens import token_issue
from akrites.wsgi import application

EXAMPLES = int(os.environ.get("AKRITES_FUZZ_EXAMPLES", "20"))


@schemathesis.serializer("application/pgp-encrypted", "application/x-ndjson")
def _as_bytes(ctx, value):
    # Armoured messages and NDJSON streams are text bodies: send whatever was generated.
    return value.encode() if isinstance(value, str) else str(value).encode()


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_test_transaction(db):
    # As Django's test client does: the test's transaction must survive each request, so the
    # per-request connection clean-up is suspended while the WSGI app is called directly.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Report bodies are validated beyond what JSON Schema can say (purl types, CWE catalogue,
# vers syntax), so "schema-valid data must be accepted" does not hold by design.
EXCLUDED = [positive_data_acceptance]
ROLES = ("anonymous", "reporter", "sirt", "outsider")


@pytest.fixture
def credentials(request, system, case, sirt, outsider):
    """Bearer headers for every role (the reporter reported ``case``, so there is data)."""
    headers = {"anonymous": {}}
    for role, user in (
        ("reporter", case.reports.get().reporter),
        ("sirt", sirt),
        ("outsider", outsider),
    ):
        token = token_issue(actor=system, user=user, name="fuzz", scopes=["read", "submit"])
        headers[role] = {"Authorization": f"Bearer {token.secret}"}
    return headers


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors_and_responses_match_the_schema(case, credentials, settings_override):
    for role in ROLES:
        case.call_and_validate(headers=credentials[role], excluded_checks=EXCLUDED)


@pytest.fixture
def settings_override(settings):
    # Fuzzing sends far more requests than any person: lift the rate limits for it.
    settings.AKRITES_RATE_PER_IDENTITY = 10**9
    settings.AKRITES_RATE_GLOBAL = 10**9
