"""The reporter's "My reports" page: newest first, in pages, own reports only."""

import re

from akrites.intake.services import report_create
from akrites.web.views.home import PAGE


def _file(reporter, n: int) -> list[str]:
    return [
        report_create(
            actor=reporter, title=f"Overflow number {i}", body="Details.", purl="pkg:pypi/nope"
        ).public_id
        for i in range(n)
    ]


def test_my_reports_pages_backwards_through_every_report(client, reporter, outsider, db):
    ids = _file(reporter, PAGE + 3)
    client.force_login(reporter)
    first = client.get("/my/reports/").content.decode()
    assert ids[-1] in first and ids[0] not in first
    older = re.search(r'href="/my/reports/\?before=([^"]+)">Older reports', first)
    assert older and older.group(1) == ids[3]
    second = client.get("/my/reports/", {"before": older.group(1)}).content.decode()
    assert all(i in second for i in ids[:3]) and ids[3] not in second
    assert "Older reports" not in second and "Newest reports" in second
    theirs = _file(outsider, 1)[0]
    assert client.get("/my/reports/", {"before": theirs}).status_code == 404
