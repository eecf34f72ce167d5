"""The web form (preview, submit, receipt, status link) and the public intake pages."""

import re

import pytest
import sectxt

from akrites.intake.models import Report


def _form(**over):
    data = {
        "title": "Path traversal in yamlkit include",
        "purl": "pkg:pypi/yamlkit",
        "description": "include('../../etc/passwd') escapes the base directory.",
        "credit": "name",
        "credit_name": "Ada",
        "contact": "ada@example.org",
        "nonce": "n-1",
        "affected": "",
        "cvss": "",
        "cwe": "CWE-22",
        "encrypted": "",
    }
    data.update(over)
    return data


def test_preview_shows_the_normalised_report_and_stores_nothing(client, project):
    response = client.post("/report/", _form(action="preview"))
    assert response.status_code == 200
    assert b"Check your report" in response.content and b"CWE-22" in response.content
    assert not Report.objects.exists()


def test_anonymous_submission_gives_a_receipt_and_a_secret_status_link(client, project):
    response = client.post("/report/", _form(action="submit"), follow=True)
    assert response.status_code == 200
    report = Report.objects.get()
    assert report.reporter is None and report.contact == "ada@example.org"
    assert report.channel == "web" and report.case is not None and report.credit_name == "Ada"
    page = response.content.decode()
    assert report.public_id in page
    code = re.search(r'<code id="status-code">([^<]+)</code>', page).group(1)
    # The link carries the code only in its fragment, which browsers never send.
    assert f"http://testserver/report/status/#{code}" in page
    status = client.post("/report/status/", {"code": code})
    assert status.status_code == 200 and report.public_id.encode() in status.content
    assert status["Referrer-Policy"] == "same-origin" and "no-store" in status["Cache-Control"]
    # The code is shown once only, and a wrong code says so next to the field.
    again = client.get(response.request["PATH_INFO"])
    assert code not in again.content.decode() and b"/report/status/#" not in again.content
    wrong = client.post("/report/status/", {"code": "not-the-secret"})
    assert wrong.status_code == 404 and b'id="status-code-error"' in wrong.content
    assert client.get("/report/status/").status_code == 200
    assert client.get(f"/report/status/{code}/").status_code == 404  # never in a path


def test_double_submit_and_back_button_replay_make_one_report(client, project):
    first = client.post("/report/", _form(action="submit"))
    second = client.post("/report/", _form(action="submit"))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Report.objects.count() == 1


def test_anonymous_needs_a_contact(client, project):
    response = client.post("/report/", _form(action="submit", contact=""))
    assert b"Leave a contact address" in response.content
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("purl", "pkg:nosuch/x", b"purl"),
        ("cwe", "CWE-99999999", b"CWE"),
        ("title", "", b"title is required"),
    ],
)
def test_invalid_values_show_next_to_the_field(client, project, field, value, message):
    response = client.post("/report/", _form(action="submit", **{field: value}))
    assert response.status_code == 200
    assert b'role="alert"' in response.content and message.lower() in response.content.lower()
    assert not Report.objects.exists()


def test_signed_in_reporter_submits_under_their_account(client, project, reporter):
    client.force_login(reporter)
    response = client.post("/report/", _form(action="submit", contact="", credit="anonymous"))
    report = Report.objects.get()
    assert report.reporter == reporter and report.credit_anonymous
    assert response["Location"] == f"/report/receipt/{report.public_id}/"
    page = client.get(f"/my/reports/{report.public_id}/")
    assert page.status_code == 200 and report.case.human_id.encode() in page.content


def test_someone_elses_receipt_and_report_are_404(client, project, reporter, outsider):
    client.force_login(reporter)
    client.post("/report/", _form(action="submit"))
    report = Report.objects.get()
    client.force_login(outsider)
    assert client.get(f"/report/receipt/{report.public_id}/").status_code == 404
    assert client.get(f"/my/reports/{report.public_id}/").status_code == 404


def test_encrypted_report_through_the_form(client, project, platform_key, encrypt_to_platform):
    import json

    doc = {
        "title": "Encrypted yamlkit bug",
        "package": {"purl": "pkg:pypi/yamlkit"},
        "description": "d",
    }
    armour = encrypt_to_platform(json.dumps(doc).encode())
    client.post("/report/", _form(action="submit", title="", encrypted=armour))
    report = Report.objects.get()
    assert report.title == "Encrypted yamlkit bug" and report.encrypted_submission


def test_security_txt_is_valid_rfc9116(client, settings, platform_key):
    settings.AKRITES_BASE_URL = "https://akrites.test"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    parser = sectxt.Parser(
        response.content, urls=f"{settings.AKRITES_BASE_URL}/.well-known/security.txt"
    )
    assert parser.is_valid(), parser.errors
    text = response.content.decode()
    assert "Encryption: " in text and "Policy: " in text and "/report/" in text
    key = client.get("/.well-known/akrites-intake-key.asc")
    assert key.content.startswith(b"-----BEGIN PGP PUBLIC KEY BLOCK-----")
    assert client.get("/policy/").status_code == 200


def test_security_txt_needs_an_https_base_url(client, settings):
    settings.AKRITES_BASE_URL = "http://127.0.0.1:8000"
    assert client.get("/.well-known/security.txt").status_code == 404


def _out_of_scope(project, maintainer, cwe, reason):
    from akrites.remediation.services import RuleIn, terms_update

    terms_update(
        actor=maintainer,
        project=project,
        contact_channels=[],
        embargo_max_days=None,
        accepts_patches=True,
        accepts_ai_patches=False,
        rules=[RuleIn("cwe", cwe, reason)],
    )


def test_anonymous_reporter_reads_why_an_out_of_scope_report_was_answered(
    client, project, maintainer
):
    _out_of_scope(project, maintainer, "CWE-22", "Include paths are trusted configuration.")
    page = client.post("/report/", _form(action="submit"), follow=True).content.decode()
    code = re.search(r'<code id="status-code">([^<]+)</code>', page).group(1)
    report = Report.objects.get()
    assert report.case is None and report.status == "rejected"
    status = client.post("/report/status/", {"code": code})
    assert b"Include paths are trusted configuration." in status.content


def test_signed_in_reporter_reads_the_answer_on_their_report(client, project, maintainer, reporter):
    _out_of_scope(project, maintainer, "CWE-22", "Include paths are trusted configuration.")
    client.force_login(reporter)
    client.post("/report/", _form(action="submit"))
    report = Report.objects.get()
    page = client.get(f"/my/reports/{report.public_id}/")
    assert page.status_code == 200 and b"Include paths are trusted configuration." in page.content
