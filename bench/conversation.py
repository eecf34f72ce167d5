"""Issue 19: case messages through the API and inbound mail through the SMTP listener.

Messages: a maintainer's ``converse`` token posts ``MESSAGES`` messages to one notified case
(``POST /api/v1/cases/{id}/messages``) against the production server (gunicorn, as the intake
benchmark runs it) with 1 and 8 clients; beside it, in the same run, the same number of
``GET /api/v1/health`` (one ``SELECT 1``) with the same clients.

Mail: ``MAILS`` distinct report mails to ``AKRITES_SECURITY_EMAIL`` through
``akrites.mail.server`` (in this process, on the bench database) over 1 and 4 smtplib
connections, each mail becoming a report (asserted); beside it a plain aiosmtpd listener whose
handler answers ``250 OK`` (no Django), same mails, same connections. The bench mails carry no
Authentication-Results of a trusted authserv-id, so no receipt is sent (no outgoing SMTP).

Run: ``python -m bench conversation``.
"""

from __future__ import annotations

import logging
import os
import smtplib
import sys
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from bench._setup import percentile
from bench.intake import _free_port, _start_server

MESSAGES = 300
API_CLIENTS = (1, 8)
MAILS = 200
MAIL_CONNECTIONS = (1, 4)


def _seed() -> tuple[str, str]:
    """A notified case of yamlkit and a ``converse`` token of its maintainer."""
    from akrites.accounts.models import User
    from akrites.accounts.tokens import token_issue
    from akrites.cases.services import case_transition
    from akrites.core.actors import SystemActor
    from akrites.intake.services import report_create
    from akrites.orgs.services import membership_add, org_create
    from akrites.projects.services import package_add, project_create

    actor = SystemActor("bench")

    def member(kind: str, username: str, role: str, **extra: Any) -> User:
        org = org_create(actor=actor, name=f"bench {kind}", kind=kind, slug=f"bench-{kind}")
        user = User.objects.create_user(
            username=username, password="bench-password-123456", **extra
        )
        membership_add(actor=actor, org=org, user=user, role=role)
        return user

    sirt = member("sirt", "bench-sirt", "sirt_lead", is_staff=True)
    maintainer = member("project_team", "bench-maintainer", "maintainer")
    reporter = member("finder", "bench-finder", "reporter")
    team = maintainer.memberships.get().organisation
    project = project_create(actor=actor, name="yamlkit", team=team)
    package_add(actor=actor, project=project, purl="pkg:pypi/yamlkit")
    case = report_create(
        actor=reporter,
        title="Billion laughs in yamlkit.load",
        body="Nested aliases expand without bound.",
        purl="pkg:pypi/yamlkit",
    ).case
    assert case is not None
    for step in ("accept", "notify_maintainers"):
        case = case_transition(actor=sirt, case=case, name=step)
    token = token_issue(actor=actor, user=maintainer, name="bench", scopes=["converse"])
    return token.secret, case.human_id


def _clients(n: int, total: int, task: Callable[[httpx.Client, int], bool], **kw: Any) -> Any:
    """``total`` calls of ``task`` split over ``n`` client threads; rate, latencies, failures."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def client(c: int) -> None:
        with httpx.Client(**kw) as http:
            for i in range(c, total, n):
                t0 = time.perf_counter()
                ok = task(http, i)
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    failures[0] += not ok

    threads = [threading.Thread(target=client, args=(c,)) for c in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return len(latencies) / wall, latencies, failures[0]


def _api(base: str, token: str, case_id: str) -> dict[str, Any]:
    from akrites.conversation.models import Message

    results: dict[str, Any] = {}
    auth = {"base_url": base, "headers": {"Authorization": f"Bearer {token}"}, "timeout": 60}
    path = f"/api/v1/cases/{case_id}/messages"
    for n in API_CLIENTS:
        before = Message.objects.count()

        def health(http: httpx.Client, i: int) -> bool:
            return http.get("/api/v1/health").status_code == 200

        def post(http: httpx.Client, i: int) -> bool:
            body = {"audience": "maintainers", "body": f"Patch {i} is on the private branch."}
            return http.post(path, json=body).status_code == 201

        rate_h, lat_h, fail_h = _clients(n, MESSAGES, health, **auth)
        rate_m, lat_m, fail_m = _clients(n, MESSAGES, post, **auth)
        posted = Message.objects.count() - before
        assert posted == MESSAGES - fail_m, (posted, fail_m)
        results.update(
            {
                f"c{n}_messages_per_s": rate_m,
                f"c{n}_messages_p50_ms": percentile(lat_m, 50) * 1000,
                f"c{n}_messages_p95_ms": percentile(lat_m, 95) * 1000,
                f"c{n}_messages_failed": fail_m,
                f"c{n}_health_per_s": rate_h,
                f"c{n}_health_p50_ms": percentile(lat_h, 50) * 1000,
                f"c{n}_health_p95_ms": percentile(lat_h, 95) * 1000,
                f"c{n}_health_failed": fail_h,
                f"c{n}_ratio_messages_vs_health": rate_m / rate_h,
            }
        )
    return results


def _mails(run: str, to: str) -> list[bytes]:
    out = []
    for i in range(MAILS):
        msg = EmailMessage()
        msg["From"] = f"finder{i}@finder.example"
        msg["To"] = to
        msg["Subject"] = f"Unbounded alias expansion in pkg:pypi/yamlkit loader ({run}-{i})"
        msg["Message-ID"] = f"<bench-{run}-{i}-{os.getpid()}@finder.example>"
        msg.set_content(
            f"yamlkit.load() expands nested aliases without a bound (variant {i}).\n"
            "Package: pkg:pypi/yamlkit\nAffected: < 1.4.2\n"
            "A 1 KiB document makes the loader allocate gigabytes.\n"
        )
        out.append(msg.as_bytes())
    return out


def _send(port: int, mails: list[bytes], to: str, connections: int) -> tuple[float, list[float]]:
    """Send ``mails`` over ``connections`` concurrent SMTP sessions; rate and latencies."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def session(c: int) -> None:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
                for raw in mails[c::connections]:
                    t0 = time.perf_counter()
                    refused = smtp.sendmail("finder@finder.example", [to], raw)
                    dt = time.perf_counter() - t0
                    assert refused == {}, refused
                    with lock:
                        latencies.append(dt)
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(c,)) for c in range(connections)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return len(latencies) / wall, latencies


class _OkHandler:
    """The baseline: take every mail, do nothing with it."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


def _smtp() -> dict[str, Any]:
    from aiosmtpd.controller import Controller
    from django.conf import settings

    from akrites.intake.models import Report
    from akrites.mail import server

    to = settings.AKRITES_SECURITY_EMAIL
    results: dict[str, Any] = {}
    for n in MAIL_CONNECTIONS:
        port = _free_port()
        raw = Controller(_OkHandler(), hostname="127.0.0.1", port=port, ready_timeout=30)
        raw.start()
        try:
            rate_raw, lat_raw = _send(port, _mails(f"raw{n}", to), to, n)
        finally:
            raw.stop()
        port = _free_port()
        listener = server.start(host="127.0.0.1", port=port, lmtp=False)
        before = Report.objects.count()
        try:
            rate, lat = _send(port, _mails(f"akr{n}", to), to, n)
        finally:
            listener.stop()
            listener.akrites_handler.close()
        reports = Report.objects.count() - before
        assert reports == MAILS, f"{reports} reports from {MAILS} mails"
        results.update(
            {
                f"c{n}_mails_per_s": rate,
                f"c{n}_mails_p50_ms": percentile(lat, 50) * 1000,
                f"c{n}_mails_p95_ms": percentile(lat, 95) * 1000,
                f"c{n}_reports_made": reports,
                f"c{n}_raw_aiosmtpd_per_s": rate_raw,
                f"c{n}_raw_p50_ms": percentile(lat_raw, 50) * 1000,
                f"c{n}_ratio_mails_vs_raw": rate / rate_raw,
            }
        )
    return results


def run(scratch: Path) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection

    from akrites.mail.models import InboundMail

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    load_before = os.getloadavg()[0]
    token, case_id = _seed()
    connection.close()
    port = _free_port()
    proc = _start_server(port)
    try:
        results: dict[str, Any] = {"load_avg_1min_start": load_before}
        results.update(_api(f"http://127.0.0.1:{port}", token, case_id))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    results.update(_smtp())
    # No receipt traffic: receipts go only to authenticated senders, and these mails carry no
    # Authentication-Results of our authserv-id.
    assert not InboundMail.objects.filter(receipt_sent=True).exists()
    results["authserv_id_configured"] = float(bool(settings.AKRITES_MAIL_AUTHSERV_ID))
    results["load_avg_1min_end"] = os.getloadavg()[0]
    return results


if __name__ == "__main__":
    from bench.__main__ import main

    sys.exit(main(["conversation"]))
