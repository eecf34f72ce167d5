"""POST /api/v1/reports, /reports/bulk, GET /reports: formats, errors, tokens, limits."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from akrites.accounts.tokens import token_issue, token_revoke
from akrites.audit.models import AuditEntry
from akrites.audit.services import audit_verify
from akrites.cases.models import Case
from akrites.intake.models import Attachment, Report

FIXTURES = Path(__file__).parent / "fixtures"
DOC = {
    "format": "akrites-report/1",
    "title": "XSS in yamlkit render()",
    "description": "render() does not escape attribute values.",
    "package": {"purl": "pkg:pypi/yamlkit", "affected": "vers:pypi/<1.2.3", "fixed": ["1.2.3"]},
    "cwe": ["CWE-79"],
    "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
}


def post(client, auth, body, content_type="application/json", path="/api/v1/reports", **extra):
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    return client.post(path, body, content_type=content_type, **auth, **extra)


def test_submit_akrites_json_opens_a_case_and_audits(client, auth, project, reporter):
    response = post(client, auth, DOC)
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get(public_id=body["id"])
    assert body["status"] == "in_case" and body["case"] == report.case.human_id
    assert body["receipt_url"].endswith(f"/my/reports/{report.public_id}/")
    assert report.reporter == reporter and report.title == DOC["title"]
    assert json.loads(report.details)["cwe"] == ["CWE-79"]
    assert AuditEntry.objects.filter(action="report.create", object_id=report.public_id).exists()
    assert audit_verify().ok


def test_report_on_an_unregistered_package_is_unrouted_without_a_case(client, auth, project):
    response = post(client, auth, {**DOC, "package": {"purl": "pkg:pypi/not-registered"}})
    assert response.status_code == 201
    assert response.json()["status"] == "unrouted" and response.json()["case"] is None


@pytest.mark.parametrize(
    ("fixture", "content_type", "count"),
    [
        ("sarif-codeql.sarif.json", "application/sarif+json", 2),
        ("osv-pypi.osv.json", "application/json", 1),
    ],
)
def test_sarif_and_osv(client, auth, project, fixture, content_type, count):
    path = FIXTURES / fixture
    response = post(
        client, auth, path.read_bytes(), content_type, path="/api/v1/reports?purl=pkg:pypi/yamlkit"
    )
    assert response.status_code == 201, response.content
    items = response.json()["items"] or [response.json()]
    assert len(items) == count
    assert Report.objects.count() == count


def test_plain_text_is_accepted(client, auth, project):
    text = "Crash in yamlkit.load with deep nesting\nCWE-674, pkg:pypi/yamlkit, fixed in 1.2.3\n"
    response = post(client, auth, text, "text/plain")
    assert response.status_code == 201, response.content
    report = Report.objects.get(public_id=response.json()["id"])
    assert report.source_format == "text" and report.case is not None


BAD = [
    ("malformed json", b'{"title": ', "application/json", 422, "body"),
    ("wrong content type", b"\x89PNG", "image/png", 422, "content_type"),
    ("bad utf-8", b'{"title": "\xff\xfe"}', "application/json", 422, "body"),
    (
        "unknown ecosystem",
        json.dumps({**DOC, "package": {"purl": "pkg:nosuch/x"}}),
        "application/json",
        422,
        "package.purl",
    ),
    (
        "invalid purl",
        json.dumps({**DOC, "package": {"purl": "not a purl"}}),
        "application/json",
        422,
        "package.purl",
    ),
    (
        "invalid vers",
        json.dumps({**DOC, "package": {"purl": "pkg:pypi/yamlkit", "affected": "vers:pypi/<<1"}}),
        "application/json",
        422,
        "package.affected",
    ),
    ("invalid cvss", json.dumps({**DOC, "cvss": "CVSS:3.1/AV:Q"}), "application/json", 422, "cvss"),
    (
        "unknown cwe",
        json.dumps({**DOC, "cwe": ["CWE-99999999"]}),
        "application/json",
        422,
        "cwe[0]",
    ),
    (
        "malformed sarif",
        json.dumps({"version": "2.1.0", "runs": "nope"}),
        "application/sarif+json",
        422,
        "runs",
    ),
    (
        "malformed osv",
        json.dumps({"id": "X-1", "modified": "yesterday", "affected": 3}),
        "application/json",
        422,
        None,
    ),
    (
        "oversize attachment",
        json.dumps({**DOC, "attachments": [{"name": "a.bin", "content_base64": "QUFB" * 400}]}),
        "application/json",
        413,
        "attachments[0].content_base64",
    ),
]


@pytest.mark.parametrize(("name", "body", "ctype", "status", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_one_error_shape_and_nothing_stored(
    client, auth, project, settings, name, body, ctype, status, field
):
    settings.AKRITES_MAX_ATTACHMENT_BYTES = 1000
    audit_before = AuditEntry.objects.count()
    response = post(client, auth, body, ctype)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) <= {"code", "message", "field"} and error["code"] in {
        "invalid_input",
        "too_large",
    }
    if field:
        assert error["field"] == field
    assert Report.objects.count() == 0 and Case.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_oversize_report_is_413(client, auth, project, settings):
    settings.AKRITES_MAX_REPORT_BYTES = 2048
    response = post(client, auth, {**DOC, "description": "x" * 5000})
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert not Report.objects.exists()


def test_oversize_request_is_413(client, auth, project, settings):
    settings.AKRITES_MAX_REQUEST_BYTES = 4096
    response = post(client, auth, {**DOC, "description": "x" * 5000})
    assert response.status_code == 413


@pytest.mark.parametrize(
    "header", [None, "Bearer akr_nope_nope", "Bearer garbage", "Basic dXNlcjpwYXNz"]
)
def test_missing_or_forged_token_is_401(client, project, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post(
        "/api/v1/reports", json.dumps(DOC), content_type="application/json", **extra
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert not Report.objects.exists()


def test_revoked_and_expired_tokens_are_refused(client, project, reporter, system):
    from datetime import timedelta

    from akrites.core.clock import advance, now

    issued = token_issue(actor=system, user=reporter, name="t", scopes=["submit"])
    token_revoke(actor=system, token=issued.token)
    assert post(client, {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}, DOC).status_code == 401
    short = token_issue(
        actor=system,
        user=reporter,
        name="s",
        scopes=["submit"],
        expires_at=now() + timedelta(hours=1),
    )
    advance(timedelta(hours=2))
    assert post(client, {"HTTP_AUTHORIZATION": f"Bearer {short.secret}"}, DOC).status_code == 401


def test_read_scope_cannot_submit_and_submit_scope_can(client, project, reporter, system):
    read = token_issue(actor=system, user=reporter, name="r", scopes=["read"]).secret
    response = post(client, {"HTTP_AUTHORIZATION": f"Bearer {read}"}, DOC)
    assert response.status_code == 403 and not Report.objects.exists()


def test_token_records_last_use(client, auth, project, reporter):
    post(client, auth, DOC)
    assert reporter.api_tokens.get().last_used_at is not None


def test_reporter_sees_own_reports_only(client, auth, project, system, outsider):
    mine = post(client, auth, DOC).json()["id"]
    other_token = token_issue(
        actor=system, user=outsider, name="o", scopes=["submit", "read"]
    ).secret
    theirs = post(client, {"HTTP_AUTHORIZATION": f"Bearer {other_token}"}, DOC).json()["id"]
    listed = [r["id"] for r in client.get("/api/v1/reports", **auth).json()]
    assert listed == [mine]
    assert client.get(f"/api/v1/reports/{mine}", **auth).status_code == 200
    response = client.get(f"/api/v1/reports/{theirs}", **auth)
    assert response.status_code == 404
    assert response.json() == client.get("/api/v1/reports/RPT-NOPE", **auth).json()


def test_idempotency_key_replays_the_first_answer(client, auth, project):
    first = post(client, auth, DOC, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(client, auth, DOC, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Report.objects.count() == 1
    different = post(client, auth, {**DOC, "title": "other"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert different.status_code == 422
    assert different.json()["error"]["field"] == "Idempotency-Key"
    assert Report.objects.count() == 1


def test_rate_limit_answers_429_with_retry_after(client, auth, project, settings):
    from datetime import UTC, datetime

    from akrites.core.clock import frozen

    settings.AKRITES_RATE_PER_IDENTITY = 2
    # Frozen mid-window: a real minute boundary during the test would reset the count.
    with frozen(datetime(2026, 11, 25, 12, 0, 20, tzinfo=UTC)):
        codes = [
            post(client, auth, {**DOC, "title": f"Bug {i} in yamlkit"}).status_code
            for i in range(3)
        ]
        assert codes == [201, 201, 429]
        response = post(client, auth, DOC)
    assert int(response["Retry-After"]) == 40
    assert response.json()["error"]["code"] == "rate_limited"
    assert Report.objects.count() == 2


def test_openpgp_encrypted_submission(client, auth, project, platform_key, encrypt_to_platform):
    armour = encrypt_to_platform(json.dumps(DOC).encode())
    response = post(client, auth, armour, "application/pgp-encrypted")
    assert response.status_code == 201, response.content
    report = Report.objects.get(public_id=response.json()["id"])
    assert report.encrypted_submission and report.title == DOC["title"]


def test_undecryptable_openpgp_is_refused(client, auth, project, platform_key):
    garbage = "-----BEGIN PGP MESSAGE-----\n\nhQEMA5kQ\n=abcd\n-----END PGP MESSAGE-----\n"
    response = post(client, auth, garbage, "text/plain")
    assert response.status_code == 422 and response.json()["error"]["field"] == "body"
    assert not Report.objects.exists()


def test_attachment_is_stored_encrypted(client, auth, project):
    doc = {
        **DOC,
        "attachments": [
            {
                "name": "poc.py",
                "media_type": "text/x-python",
                "content_base64": "cHJpbnQoJ01BUktFUicp",
            }
        ],
    }
    response = post(client, auth, doc)
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert attachment.content == b"print('MARKER')" and attachment.size == 15
    with connection.cursor() as cur:
        cur.execute("SELECT content, name FROM intake_attachment")
        for value in cur.fetchone():
            assert b"MARKER" not in bytes(value) and b"poc.py" not in bytes(value)


# ---- bulk -------------------------------------------------------------------------------


def _ndjson(n, bad=()):
    lines = []
    for i in range(n):
        lines.append("{broken" if i in bad else json.dumps({**DOC, "title": f"Bug {i} in yamlkit"}))
    return "\n".join(lines)


def test_bulk_answers_in_order_and_keeps_good_items(client, auth, project):
    response = post(
        client, auth, _ndjson(5, bad={1, 3}), "application/x-ndjson", path="/api/v1/reports/bulk"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (3, 2)
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3, 4]
    assert [r["ok"] for r in body["results"]] == [True, False, True, False, True]
    assert body["results"][1]["error"]["field"] == "body"
    stored = {r.title for r in Report.objects.all()}
    assert stored == {"Bug 0 in yamlkit", "Bug 2 in yamlkit", "Bug 4 in yamlkit"}
    assert audit_verify().ok


def test_bulk_accepts_a_json_array(client, auth, project):
    items = [{**DOC, "title": "a"}, {**DOC, "title": "b"}]
    response = post(
        client, auth, json.dumps(items), "application/json", path="/api/v1/reports/bulk"
    )
    assert response.json()["accepted"] == 2


def test_bulk_query_count_does_not_grow_with_batch_size(client, auth, project):
    counts = []
    for n in (5, 60):
        with CaptureQueriesContext(connection) as ctx:
            response = post(
                client, auth, _ndjson(n), "application/x-ndjson", path="/api/v1/reports/bulk"
            )
        assert response.json()["accepted"] == n
        counts.append(len(ctx.captured_queries))
    # Django splits a bulk INSERT into statements of at most 999 parameters on SQLite, so a
    # large batch costs a few more statements; per-item queries would add 55 or more.
    assert counts[1] - counts[0] <= 4, counts


def test_empty_bulk_is_refused(client, auth, project):
    response = post(client, auth, "\n\n", "application/x-ndjson", path="/api/v1/reports/bulk")
    assert response.status_code == 422


def test_bad_bearer_token_is_401_even_with_csrf_enforced(project):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/reports",
        json.dumps(DOC),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer akr_deadbeef_nope",
    )
    assert response.status_code == 401


def test_replayed_answer_is_marked(client, auth, project):
    first = post(client, auth, DOC, HTTP_IDEMPOTENCY_KEY="k-2")
    again = post(client, auth, DOC, HTTP_IDEMPOTENCY_KEY="k-2")
    assert "Idempotent-Replayed" not in first and again["Idempotent-Replayed"] == "true"


def test_bulk_honours_idempotency_key(client, auth, project):
    body = _ndjson(3)
    first = post(
        client,
        auth,
        body,
        "application/x-ndjson",
        path="/api/v1/reports/bulk",
        HTTP_IDEMPOTENCY_KEY="bulk-1",
    )
    again = post(
        client,
        auth,
        body,
        "application/x-ndjson",
        path="/api/v1/reports/bulk",
        HTTP_IDEMPOTENCY_KEY="bulk-1",
    )
    assert first.json() == again.json() and Report.objects.count() == 3


def test_bulk_refuses_prose_lines_and_lenient_json(client, auth, project):
    body = json.dumps(DOC) + "\nthis line is not a JSON document\n"
    result = post(client, auth, body, "application/x-ndjson", path="/api/v1/reports/bulk").json()
    assert [r["ok"] for r in result["results"]] == [True, False]
    dup_keys = '[{"title": "a", "title": "b", "description": "x"}]'
    response = post(client, auth, dup_keys, "application/json", path="/api/v1/reports/bulk")
    assert response.status_code == 422


def test_cli_user_agent_is_recorded_as_channel(client, auth, project):
    post(client, auth, DOC, HTTP_USER_AGENT="akrites-cli/0.1")
    assert Report.objects.get().channel == "cli"


def test_the_same_bug_twice_joins_the_first_case_and_first_finder_keeps_credit(
    client, auth, project, system, outsider
):
    first = post(client, auth, DOC).json()
    other = token_issue(actor=system, user=outsider, name="o", scopes=["submit", "read"]).secret
    second = post(client, {"HTTP_AUTHORIZATION": f"Bearer {other}"}, DOC).json()
    assert second["status"] == "duplicate"
    assert second["case"] == second["duplicate_of"] == first["case"]
    ranks = dict(Report.objects.values_list("public_id", "credit_rank"))
    assert (ranks[first["id"]], ranks[second["id"]]) == (1, 2)
    assert Case.objects.count() == 1
    # The second finder is a reporter of that case now: they can follow its status.
    assert (
        client.get(
            f"/api/v1/cases/{first['case']}", HTTP_AUTHORIZATION=f"Bearer {other}"
        ).status_code
        == 200
    )


def test_a_bulk_flood_of_one_bug_makes_one_case(client, auth, project):
    body = "\n".join(json.dumps(DOC) for _ in range(20))
    result = post(client, auth, body, "application/x-ndjson", path="/api/v1/reports/bulk").json()
    statuses = [r["reports"][0]["status"] for r in result["results"]]
    assert statuses == ["in_case"] + ["duplicate"] * 19
    assert Case.objects.count() == 1


def test_own_reports_page_backwards_with_a_cursor(client, auth, project, system, outsider):
    ids = [post(client, auth, {**DOC, "title": f"XSS number {i}"}).json()["id"] for i in range(5)]
    newest_first = ids[::-1]
    pages, before = [], None
    while True:
        query = {"limit": 2} | ({"before": before} if before else {})
        page = [r["id"] for r in client.get("/api/v1/reports", query, **auth).json()]
        if not page:
            break
        pages.append(page)
        before = page[-1]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:]]
    other_token = token_issue(actor=system, user=outsider, name="o", scopes=["submit"]).secret
    theirs = post(client, {"HTTP_AUTHORIZATION": f"Bearer {other_token}"}, DOC).json()["id"]
    response = client.get("/api/v1/reports", {"before": theirs}, **auth)
    assert response.status_code == 404  # another reporter's id is no cursor, and says nothing


def test_an_out_of_scope_report_is_answered_with_the_maintainers_reason(
    client, auth, project, maintainer
):
    from akrites.remediation.services import RuleIn, terms_update

    terms_update(
        actor=maintainer,
        project=project,
        contact_channels=[],
        embargo_max_days=None,
        accepts_patches=True,
        accepts_ai_patches=False,
        rules=[RuleIn("cwe", "CWE-79", "Escaping is the template's job.")],
    )
    body = post(client, auth, DOC).json()
    assert body["status"] == "rejected" and body["case"] is None
    assert "Escaping is the template's job." in body["answer"]
    assert not Case.objects.exists()
    again = client.get(f"/api/v1/reports/{body['id']}", **auth).json()
    assert again["answer"] == body["answer"]
    other = {"title": "Eval in yamlkit", "description": "compile() runs template code."}
    in_scope = post(client, auth, {**DOC, **other, "cwe": ["CWE-94"]}).json()
    assert in_scope["status"] == "in_case" and in_scope["answer"] is None
