"""Leak scan: a full embargoed flow with a marker in every sensitive field, then the marker
is searched in logs (every logger at DEBUG), mails, URLs (redirects and every URL in pages),
API error bodies and error pages, and in a database dump and a raw read of every table."""

from __future__ import annotations

import base64
import json
import logging
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client

from akrites.access.tests.conftest import verified, weekday_in
from akrites.cases.models import Case

pytestmark = pytest.mark.mfa
MARK = "ZQXMARK7731"
URL_ATTRS = re.compile(rb'(?:href|src|action)="([^"]*)"')


class Recorder:
    def __init__(self) -> None:
        self.urls: list[str] = []
        self.bodies: list[bytes] = []  # error pages and API error bodies

    def __call__(self, response):
        if "Location" in response:
            self.urls.append(response["Location"])
        content = getattr(response, "content", b"")
        self.urls += [u.decode() for u in URL_ATTRS.findall(content)]
        if response.status_code >= 400:
            self.bodies.append(content)
        return response


def _client(user, rec):
    client = verified(Client(), user)

    def wrap(method):
        def call(*args, **kwargs):
            return rec(method(*args, **kwargs))

        return call

    for name in ("get", "post", "put", "delete", "generic"):
        setattr(client, name, wrap(getattr(client, name)))
    return client


def _api_json(client, method, url, body):
    return client.generic(method, url, json.dumps(body), content_type="application/json")


@pytest.fixture
def flow(
    caplog,
    settings,
    sirt,
    coordinator,
    maintainer,
    reporter,
    member_observer,
    project,
    orgs,
    outsider,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caplog.set_level(logging.DEBUG)
    # Every logger at DEBUG for this test only: caplog restores each level afterwards (a plain
    # setLevel would leak DEBUG into later tests in the same worker).
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    rec = Recorder()
    rep, lead, coord, maint, obs, out = (
        _client(u, rec)
        for u in (reporter, sirt, coordinator, maintainer, member_observer, outsider)
    )
    doc = {
        "title": f"Heap overflow {MARK} in yamlkit",
        "description": f"Steps {MARK} and a proof of concept.",
        "package": {"purl": "pkg:pypi/yamlkit", "affected": "vers:pypi/<2.0"},
        "attachments": [
            {
                "name": f"poc-{MARK}.py",
                "content_base64": base64.b64encode(f"print('{MARK}')".encode()).decode(),
            }
        ],
    }
    r = _api_json(rep, "POST", "/api/v1/reports", doc)
    assert r.status_code == 201, r.content
    case_id = r.json()["case"]
    for name, who in (("accept", lead), ("notify_maintainers", lead), ("acknowledge", maint)):
        assert (
            _api_json(
                who,
                "POST",
                f"/api/v1/cases/{case_id}/transitions",
                {"name": name, "reason": f"reason {MARK}"},
            ).status_code
            == 200
        )
    sbom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [
            {"type": "library", "name": "yamlkit", "version": "1.0", "purl": "pkg:pypi/yamlkit@1.0"}
        ],
    }
    assert (
        obs.post(
            f"/api/v1/orgs/{orgs['member'].slug}/sboms?name=prod",
            json.dumps(sbom),
            content_type="application/json",
        ).status_code
        == 201
    )
    when = weekday_in(14).isoformat()
    assert (
        _api_json(maint, "PUT", f"/api/v1/cases/{case_id}/embargo", {"ends_at": when}).status_code
        == 200
    )
    assert (
        _api_json(
            maint,
            "POST",
            f"/api/v1/cases/{case_id}/embargo/extensions",
            {"until": weekday_in(100).isoformat(), "reason": f"note {MARK}"},
        ).status_code
        == 201
    )
    maint.get(f"/cases/{case_id}/prenotification/")
    assert (
        _api_json(
            maint,
            "POST",
            f"/api/v1/cases/{case_id}/prenotification",
            {"organisation": orgs["member"].slug},
        ).status_code
        == 201
    )
    obs.get(f"/cases/{case_id}/terms/")
    obs.post(f"/cases/{case_id}/terms/")
    for who in (rep, lead, coord, maint, obs):
        who.get(f"/cases/{case_id}/")
        who.get(f"/cases/{case_id}/embargo/")
        who.get(f"/api/v1/cases/{case_id}")
        who.get(f"/api/v1/cases/{case_id}/content")
    att = Case.objects.get(human_id=case_id).reports.get().attachments.get()
    maint.get(f"/cases/{case_id}/attachments/{att.pk}/")
    # Bad input everywhere: errors must not echo it.
    out.get(f"/cases/{case_id}/")
    guessed = out.get(f"/cases/{MARK}/")  # the guesser's own text: not echoed in the page
    assert guessed.status_code == 404 and MARK.encode() not in guessed.content
    _api_json(out, "POST", f"/api/v1/cases/{case_id}/embargo/break", {"reason": MARK})
    _api_json(maint, "PUT", f"/api/v1/cases/{case_id}/embargo", {"ends_at": MARK})
    _api_json(maint, "POST", f"/api/v1/cases/{case_id}/prenotification", {"organisation": MARK})
    obs.post(
        f"/api/v1/orgs/{orgs['member'].slug}/sboms",
        f'{{"x": "{MARK}"}}',
        content_type="application/json",
    )
    _api_json(rep, "POST", "/api/v1/reports", {"title": MARK, "package": {"purl": MARK}})
    lead.post(f"/cases/{case_id}/embargo/break/", {"reason": f"leak {MARK}"})
    assert Case.objects.get(human_id=case_id).status == "disclosed"
    obs.get(f"/cases/{case_id}/")  # expired at publication: a 404 page
    return rec, caplog


def test_marker_reaches_no_log_mail_url_or_error(flow):
    rec, caplog = flow
    records = caplog.get_records("setup") + caplog.records  # the flow runs in the fixture
    assert len(records) > 10  # logging was captured
    # django.request logs the path of a 404; the only such path with the marker is the one
    # the guesser typed in themself, which is their input, not embargoed content.
    guessed = f"/cases/{MARK}/"
    logged = [
        r.getMessage() + str(r.args) + str(r.exc_text or "")
        for r in records
        if not (r.name == "django.request" and r.args and r.args[-1] == guessed)
    ]
    assert not [m for m in logged if MARK in m]
    assert not [m for m in mail.outbox if MARK in m.subject + m.body + str(m.alternatives)]
    assert not [u for u in rec.urls if MARK in u]
    assert rec.bodies and not [b for b in rec.bodies if MARK.encode() in b]


def _secrets() -> list[bytes]:
    """The marker, and every TOTP seed as raw bytes, hex (both cases) and base32."""
    from akrites.accounts.models import TotpDevice

    seeds = [d.bin_key for d in TotpDevice.objects.all()]
    assert seeds  # every client of the flow signed in with an authenticator
    forms = [MARK.encode()]
    for seed in seeds:
        b32 = base64.b32encode(seed)
        forms += [seed, seed.hex().encode(), seed.hex().upper().encode(), b32, b32.rstrip(b"=")]
    return forms


def test_database_dump_and_raw_tables_hold_no_plaintext(flow):
    forms = _secrets()
    out = StringIO()
    call_command("dumpdata", stdout=out)
    dumped = out.getvalue().encode()
    assert not [f for f in forms if f in dumped]
    if connection.vendor == "sqlite":  # the SQL text a `.dump` of the file would give
        connection.ensure_connection()
        text = "\n".join(connection.connection.iterdump()).encode()
        assert not [f for f in forms if f in text or f.hex().encode() in text.lower()]
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cur.fetchall():
                for value in row:
                    raw = (
                        bytes(value)
                        if isinstance(value, bytes | memoryview)
                        else str(value).encode()
                    )
                    assert not [f for f in forms if f in raw], table
