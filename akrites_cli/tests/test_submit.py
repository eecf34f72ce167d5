"""``akrites submit`` end-to-end against a live server on loopback, plus the client's retries.

The end-to-end tests speak real HTTP to Django's live-server thread with a real API token;
only the retry tests use ``httpx.MockTransport``, because they test the client's own timing.
"""

import io
import json

import httpx
import pytest

from akrites_cli.client import AkritesClient, RateLimited, RetryPolicy, ServerError, clean
from akrites_cli.main import main
from akrites_cli.submit import plan_file

PURL = "pkg:pypi/yamlkit"
e2e = pytest.mark.django_db(transaction=True)


def _report(title, **extra):
    return {"format": "akrites-report/1", "title": title, "package": {"purl": PURL}, **extra}


SARIF = {
    "version": "2.1.0",
    "runs": [
        {
            "tool": {"driver": {"name": "semgrep", "version": "1.90.0"}},
            "properties": {"purl": PURL},
            "results": [
                {
                    "ruleId": f"rule-{n}",
                    "message": {"text": f"Finding number {n}"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": "src/load.py"},
                                "region": {"startLine": 10 + n},
                            }
                        }
                    ],
                }
                for n in (1, 2)
            ],
        }
    ],
}


@pytest.fixture
def token(reporter, project):
    from akrites.accounts.tokens import token_issue

    return token_issue(actor=reporter, user=reporter, name="cli", scopes=["submit", "read"])


@pytest.fixture
def cli(live_server, token, monkeypatch, capsys, tmp_path):
    """Run ``akrites submit`` in-process against the live server; (exit code, stdout, stderr)."""
    monkeypatch.setenv("AKRITES_TOKEN", token.secret)
    monkeypatch.setenv("AKRITES_SERVER", live_server.url)
    monkeypatch.chdir(tmp_path)

    def run(*args):
        capsys.readouterr()
        code = main(["submit", *map(str, args)])
        out, err = capsys.readouterr()
        assert token.secret not in out + err
        return code, out, err

    return run


def _reports():
    from akrites.intake.models import Report

    return Report.objects.order_by("created_at", "pk")


@e2e
def test_single_akrites_json_is_accepted(cli, tmp_path, reporter):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(_report("Billion laughs in yamlkit.load")))
    code, out, err = cli(path.name)
    assert code == 0, err
    report = _reports().get()
    assert report.reporter == reporter and report.title == "Billion laughs in yamlkit.load"
    assert report.case is not None
    assert report.public_id in out and report.case.human_id in out
    assert "TOTAL" in out


@e2e
def test_a_report_on_an_unregistered_package_is_said_to_wait_for_routing(cli, tmp_path):
    path = tmp_path / "report.json"
    path.write_text(
        json.dumps({**_report("Overflow in rivet"), "package": {"purl": "pkg:pypi/rivet"}})
    )
    code, out, err = cli(path.name, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["totals"]["unrouted"] == 1 and doc["totals"]["accepted"] == 0
    [receipt] = doc["results"][0]["reports"]
    assert (receipt["status"], receipt["category"], receipt["case"]) == (
        "unrouted",
        "unrouted",
        None,
    )
    code, out, _ = cli(path.name)  # the same file again: the same answer (idempotency key)
    assert "UNROUTED" in out and "waiting for the SIRT to route" in out
    assert _reports().count() == 1


@e2e
def test_ndjson_with_a_malformed_line_keeps_the_good_ones_and_exits_1(cli, tmp_path):
    path = tmp_path / "scan.ndjson"
    lines = [json.dumps(_report("First")), '{"title": "broken', json.dumps(_report("Third"))]
    path.write_text("\n".join(lines) + "\n")
    code, out, _ = cli(path.name, "--batch-size", "2")
    assert code == 1
    assert sorted(r.title for r in _reports()) == ["First", "Third"]
    rejected = out.split("Rejected:\n")[1].splitlines()
    assert rejected[1].split()[:4] == ["scan.ndjson", "1", "2", "body"]
    assert "broken" not in out  # content is never echoed


@e2e
def test_sarif_log_with_two_results_files_two_reports(cli, tmp_path):
    path = tmp_path / "findings.sarif"
    path.write_text(json.dumps(SARIF))
    code, _, err = cli(path.name)
    assert code == 0, err
    assert [r.source_format for r in _reports()] == ["sarif", "sarif"]


@e2e
def test_json_output_is_one_parseable_document(cli, tmp_path):
    array = tmp_path / "batch.json"
    text = json.dumps([_report("One"), {"title": "Two", "cvs": "x"}], indent=2)
    array.write_text(text)
    second_line = text.splitlines().index("  {", 2) + 1
    code, out, _ = cli(array.name, "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["totals"] == {
        "accepted": 1,
        "unrouted": 0,
        "duplicate": 0,
        "already_public": 0,
        "rejected": 1,
    }
    ok, bad = doc["results"]
    assert ok["ok"] and ok["reports"][0]["id"] == _reports().get().public_id
    assert (bad["index"], bad["line"], bad["error"]["code"]) == (1, second_line, "invalid_input")
    assert doc["error"] is None and doc["exit_code"] == 1


@e2e
def test_revoked_token_exits_2_with_a_clear_message(cli, tmp_path, token, reporter):
    from akrites.accounts.tokens import token_revoke

    token_revoke(actor=reporter, token=token.token)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(_report("Never stored")))
    code, _, err = cli(path.name)
    assert code == 2
    assert "refused the token" in err and "AKRITES_TOKEN" in err
    assert not _reports().exists()


@e2e
def test_missing_token_exits_2_before_sending(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("AKRITES_TOKEN")
    path = tmp_path / "report.json"
    path.write_text(json.dumps(_report("Never sent")))
    code, out, err = cli(path.name)
    assert code == 2 and "no API token" in err and out == ""


@e2e
def test_running_the_same_file_twice_files_one_report(cli, tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(_report("Only once")))
    first, second = cli(path.name, "--json"), cli(path.name, "--json")
    assert first[0] == second[0] == 0
    ids = [json.loads(out)["results"][0]["reports"][0]["id"] for _, out, _ in (first, second)]
    assert ids[0] == ids[1] == _reports().get().public_id


@e2e
def test_text_file_is_accepted(cli, tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(f"XXE in yamlkit loader\n\nAffects {PURL} before 2.0, CWE-611.\n")
    code, _, err = cli(path.name)
    assert code == 0, err
    report = _reports().get()
    assert report.source_format == "text" and report.purl == PURL


@e2e
def test_stdin_is_read_with_a_dash(cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"Crash in yamlkit\n")))
    code, out, err = cli("-", "--purl", PURL)
    assert code == 0, err
    assert _reports().get().purl == PURL and "<stdin>" in out


def test_token_over_plain_http_to_another_host_is_refused(capsys, tmp_path):
    path = tmp_path / "r.json"
    path.write_text("{}")
    argv = ["submit", str(path), "--server", "http://akrites.example", "--token", "akr_a_b"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "plain http://" in err and "akr_a_b" not in err


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.ndjson", b'{"title": "x"}\n\n{"title": "y"}\n', "bulk"),
        ("a.json", b'[{"title": "x"},\n {"title": "y"}]', "bulk"),
        ("a.json", b'{"title": "x"}\n{"title": "y"}\n', "bulk"),
        ("a.json", b'{"title": "x"}', "application/json"),
        ("a.json", b'{"title": ', "application/json"),
        ("a.txt", b"[SECURITY] overflow", "text/plain; charset=utf-8"),
        ("-", b"Overflow in parse()", "text/plain; charset=utf-8"),
    ],
)
def test_files_are_sent_as_what_they_are(name, data, kind):
    plan = plan_file(name, data, None)
    assert ("bulk" if plan.items is not None else plan.content_type) == kind


def test_malformed_json_array_is_refused_locally():
    assert plan_file("a.json", b'[{"title": "x"}, {', None).refusal.field == "body"


# --- the client's retries (mocked transport: this is about the client's own timing) --------


def _client(responses, sleeps, **policy):
    calls = []

    def handler(request):
        calls.append(request)
        return responses.pop(0)

    client = AkritesClient(
        "http://127.0.0.1:9", "akr_a_b", transport=httpx.MockTransport(handler),
        retry=RetryPolicy(**policy), sleep=sleeps.append,
    )  # fmt: skip
    return client, calls


_CREATED = {"id": "r1", "status": "in_case", "case": "C-1", "receipt_url": "u"}
_LIMITED = {"error": {"code": "rate_limited", "message": "Too many \x1b[31mreports"}}


def test_retry_after_is_honoured_and_the_key_is_resent():
    sleeps = []
    client, calls = _client(
        [httpx.Response(429, json=_LIMITED, headers={"Retry-After": "7"}),
         httpx.Response(201, json=_CREATED)],
        sleeps,
    )  # fmt: skip
    receipts = client.submit(b"x", content_type="text/plain", idempotency_key="k1")
    assert [r.id for r in receipts] == ["r1"] and sleeps == [7.0]
    assert [c.headers["Idempotency-Key"] for c in calls] == ["k1", "k1"]


def test_retry_after_beyond_the_budget_gives_up_without_waiting():
    sleeps = []
    client, _ = _client(
        [httpx.Response(429, json=_LIMITED, headers={"Retry-After": "600"})],
        sleeps, max_total_wait=60,
    )  # fmt: skip
    with pytest.raises(RateLimited) as info:
        client.submit(b"x", content_type="text/plain", idempotency_key="k1")
    assert info.value.retry_after == 600 and sleeps == []
    assert "\x1b" not in info.value.error.message == clean(info.value.error.message)


def test_server_errors_are_retried_only_when_safe():
    boom = {"error": {"code": "error", "message": "boom"}}
    sleeps = []
    client, calls = _client(
        [httpx.Response(500, json=boom), httpx.Response(201, json=_CREATED),
         httpx.Response(500, json=boom)],
        sleeps, base_delay=0.01,
    )  # fmt: skip
    client.submit(b"x", content_type="text/plain", idempotency_key="k1")
    assert len(calls) == 2 and len(sleeps) == 1
    with pytest.raises(ServerError):  # a bulk request has no key: a retry could file twice
        client.submit_bulk(b'{"title": "x"}\n')
    assert len(calls) == 3
