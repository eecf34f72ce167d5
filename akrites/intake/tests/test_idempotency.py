import json
import threading

import pytest
from django.db import connections
from django.test import Client

from akrites.accounts.tokens import token_issue
from akrites.intake.models import IdempotencyRecord, Report

DOC = {"title": "Race in yamlkit", "description": "d", "package": {"purl": "pkg:pypi/yamlkit"}}


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_report(project, reporter, system):
    token = token_issue(actor=system, user=reporter, name="t", scopes=["submit"]).secret
    answers, errors = [], []
    barrier = threading.Barrier(6)

    def retry():
        try:
            client = Client()
            barrier.wait()
            response = client.post(
                "/api/v1/reports",
                json.dumps(DOC),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
                HTTP_IDEMPOTENCY_KEY="same-key",
            )
            answers.append((response.status_code, response.json()))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Report.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    assert {status for status, _ in answers} == {201}
    assert len({body["id"] for _, body in answers}) == 1


@pytest.mark.parametrize("key", ["", " ", "x" * 201, "bad\x07key"])
def test_malformed_idempotency_keys_are_refused(client, project, reporter, system, key):
    token = token_issue(actor=system, user=reporter, name="t", scopes=["submit"]).secret
    response = client.post(
        "/api/v1/reports",
        json.dumps(DOC),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 422
    assert not Report.objects.exists()
