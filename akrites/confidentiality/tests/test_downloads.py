"""One attachment download behind the HTML page and the API: the same bytes and headers,
one audited read each, and the same 404 for whoever may not read it."""

import re

import pytest

from akrites.audit.models import AuditEntry
from akrites.intake.models import Attachment

# A name that must never reach a header: it is reporter input.
NAME = 'evil"\r\nSet-Cookie: x=1.html'
CONTENT = b"<script>alert(1)</script>"


@pytest.fixture
def attachment(case):
    report = case.reports.get()
    return Attachment.objects.create(
        report=report, name=NAME, media_type="text/html", size=len(CONTENT), content=CONTENT
    )


def _urls(case, pk):
    return (
        f"/cases/{case.human_id}/attachments/{pk}/",
        f"/api/v1/cases/{case.human_id}/attachments/{pk}",
    )


def _body(response):
    """The body without its per-request CSRF token (masked afresh on every page)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)


def _reads(case):
    return AuditEntry.objects.filter(object_id=case.human_id, action="read.attachment").count()


@pytest.mark.parametrize("route", [0, 1], ids=["html", "api"])
def test_a_download_is_the_bytes_as_an_attachment_never_sniffed_nor_cached(
    client, sirt, case, attachment, route
):
    client.force_login(sirt)
    response = client.get(_urls(case, attachment.pk)[route])
    assert response.status_code == 200 and response.content == CONTENT
    assert response["Content-Type"] == "application/octet-stream"
    assert (
        response["Content-Disposition"] == f'attachment; filename="attachment-{attachment.pk}.bin"'
    )
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "evil" not in str(response.headers) and "x=1" not in response.cookies
    assert _reads(case) == 1


@pytest.mark.parametrize("route", [0, 1], ids=["html", "api"])
def test_whoever_may_not_read_it_gets_the_404_of_a_missing_one(
    client, outsider, maintainer, sirt, case, other_case, attachment, route
):
    # The maintainers are no party before the SIRT notifies them.
    for who in (outsider, maintainer):
        client.force_login(who)
        refused = client.get(_urls(case, attachment.pk)[route])
        missing = client.get(_urls(case, attachment.pk + 1000)[route])
        assert refused.status_code == missing.status_code == 404
        assert _body(refused) == _body(missing)
    client.force_login(sirt)
    assert client.get(_urls(other_case, attachment.pk)[route]).status_code == 404
    assert _reads(case) == 0


def test_the_page_and_the_api_answer_the_same_download(client, sirt, case, attachment):
    client.force_login(sirt)
    page, api = (client.get(url) for url in _urls(case, attachment.pk))
    assert (page.content, dict(page.headers)) == (api.content, dict(api.headers))
    assert _reads(case) == 2  # each read audited
