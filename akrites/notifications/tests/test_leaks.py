"""The leak scan, extended to every notification.

A full embargoed flow with a marker in every sensitive field (report title, description,
stack trace, references, credit and contact; case summary; every transition reason), through
every channel (short notices, an encrypted mail, digests, the SIRT's failure digest, webhooks
on embargoed and on disclosed cases). Then every sent mail (subject, body, every header),
every webhook request (headers and body), every log line and every notification row is
scanned for the marker: zero hits. The encrypted mail is the one place details may travel,
and the test checks they do — only inside the ciphertext.
"""

import json
from datetime import timedelta

import pytest
from django.core import mail

from akrites.cases.models import Case
from akrites.cases.services import (
    case_accept,
    case_acknowledge,
    case_break_embargo,
    case_create,
    case_disclose,
    case_mark_fix_ready,
    case_notify_maintainers,
    case_start_fix,
)
from akrites.core import clock
from akrites.intake.parsers import PackageRef, ParsedReport
from akrites.intake.services.record import Submission, reports_record
from akrites.notifications.digests import digests_send_due
from akrites.notifications.models import Delivery, DigestItem, Event, WebhookSubscription
from akrites.notifications.services.preferences import preference_update
from akrites.notifications.services.subscriptions import webhook_subscribe
from akrites.notifications.tests.helpers import attempt_due, give_address, run_all

pytestmark = pytest.mark.django_db

MARKER = "ZQXLEAK7731"


def _report(reporter, n):
    parsed = ParsedReport(
        title=f"{MARKER} title {n}",
        source_format="akrites",
        description=f"{MARKER} description",
        package=PackageRef(purl="pkg:pypi/yamlkit"),
        stack_trace=(f"{MARKER} frame",),
        references=(f"https://example.org/{MARKER}",),
    )
    sub = Submission(parsed, contact=f"{MARKER}@example.org", credit_name=f"{MARKER} credit")
    (outcome,) = reports_record(actor=reporter, submissions=[sub])
    case = Case.objects.get(pk=outcome.case.pk)
    case.summary = f"{MARKER} summary"
    case.save(update_fields=["summary"])
    return case


def _flow(sirt, maintainer, case, *, disclose):
    reason = f"{MARKER} reason"
    case_accept(actor=sirt, case=case, reason=reason)
    case_notify_maintainers(actor=sirt, case=case, reason=reason)
    case_acknowledge(actor=maintainer, case=case, reason=reason)
    case_start_fix(actor=maintainer, case=case, reason=reason)
    if disclose:
        case_mark_fix_ready(actor=maintainer, case=case, reason=reason)
        case_disclose(actor=sirt, case=case, reason=reason)
    else:
        case_break_embargo(actor=sirt, case=case, reason=reason)


def test_no_notification_carries_embargoed_detail(
    orgs, project, sirt, coordinator, maintainer, reporter, receiver, pgp, rcpt_keyring, caplog
):
    caplog.set_level("DEBUG")
    for user in (sirt, coordinator, maintainer):
        give_address(user)
    # The reporter has no address: their deliveries fail, feeding the SIRT's failure digest.
    preference_update(actor=coordinator, digest_only=False, openpgp_key=pgp.valid)
    webhook_subscribe(actor=maintainer, org=orgs["project_team"], url=receiver.url, events=["*"])
    webhook_subscribe(actor=sirt, org=orgs["sirt"], url=receiver.url, events=["*"])

    first = _report(reporter, 1)
    # A second case opened by the SIRT (a second similar report could be merged by dedup).
    second = case_create(
        actor=sirt, project=project, title=f"{MARKER} second", summary=f"{MARKER} summary"
    )
    _flow(sirt, maintainer, first, disclose=False)
    run_all()
    _flow(sirt, maintainer, second, disclose=True)
    run_all()
    clock.advance(timedelta(hours=1))
    digests_send_due()
    run_all()  # also dispatches the notification.failed events
    clock.advance(timedelta(days=2))
    digests_send_due()
    attempt_due()

    # The flow really went through every channel.
    kinds = set(Delivery.objects.values_list("channel", "kind"))
    assert {("email", "digest"), ("email", "case.break_embargo")} <= kinds
    assert ("webhook", "case.disclose") in kinds
    assert Delivery.objects.filter(encryption="openpgp", status="delivered").exists()
    assert Delivery.objects.filter(status="failed", last_error="no_address").exists()
    assert DigestItem.objects.filter(scope="platform").exists()
    assert len(mail.outbox) >= 8 and len(receiver.requests) >= 10

    hits, decrypted = [], []
    for message in mail.outbox:
        raw = message.message().as_bytes().decode("utf-8", "replace")
        if MARKER in raw:
            hits.append(("mail", message.subject))
        if "BEGIN PGP MESSAGE" in message.body:
            decrypted.append(pgp.decrypt(message.body))
    for headers, body in receiver.requests:
        if MARKER in json.dumps(headers) or MARKER.encode() in body:
            hits.append(("webhook", body[:80]))
    if MARKER in caplog.text:
        hits.append(("log", ""))
    for model in (Event, Delivery, DigestItem, WebhookSubscription):
        for row in model.objects.values():
            if MARKER in json.dumps(row, default=str):
                hits.append((model.__name__, row.get("id")))
    assert hits == []
    assert any(MARKER in text for text in decrypted)  # details travel, but only encrypted
