"""The demo's SMTP sink as a real process on loopback, what arrives there, and the Outbox page.

Mail goes from the delivery worker through Django's SMTP backend (smtplib) to
``akrites mail-sink`` running as its own process; the tests read the messages the server
received from its files, so they see exactly what went over the wire.
"""

import os
import re
import signal
import subprocess
import sys
import time
from email import message_from_bytes, policy

import pytest

from akrites.cases.services import case_accept
from akrites.notifications.models import Delivery
from akrites.notifications.services.preferences import preference_update
from akrites.notifications.sink import check_loopback, sink_list
from akrites.notifications.tests.conftest import free_port, wait_for
from akrites.notifications.tests.helpers import give_address, run_all

pytestmark = pytest.mark.django_db

TITLE = "Billion laughs in yamlkit.load"


@pytest.fixture(scope="module")
def sink_process(tmp_path_factory):
    """``akrites mail-sink`` in a child process, one for the module (it takes seconds)."""
    tmp = tmp_path_factory.mktemp("sink")
    port, outbox, log_path = free_port(), tmp / "outbox", tmp / "sink.log"
    log = log_path.open("w")
    argv = [sys.executable, "-m", "akrites_cli.main", "mail-sink"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--dir", str(outbox)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "Mail sink on" in log_path.read_text(), 60, "the sink")
        yield port, outbox
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        log.close()


@pytest.fixture
def sink(sink_process, settings):
    """The sink, emptied; Akrites' SMTP settings point at it."""
    port, outbox = sink_process
    for old in outbox.glob("*.eml"):
        old.unlink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.AKRITES_MAIL_SINK_DIR = outbox
    return outbox


def _received(outbox):
    wait_for(lambda: outbox.is_dir() and any(outbox.glob("*.eml")), 10, "a message")
    (path,) = outbox.glob("*.eml")
    return path.read_bytes()


def test_a_notice_over_real_smtp_carries_a_link_and_no_embargoed_text(case, sirt, reporter, sink):
    give_address(reporter, "reporter@example.org")
    case_accept(actor=sirt, case=case)
    assert run_all() == ["delivered"]
    raw = _received(sink)
    message = message_from_bytes(raw, policy=policy.default)
    assert message["To"] == "reporter@example.org"
    assert f"/cases/{case.human_id}/" in message.get_body().get_content()
    assert TITLE not in raw.decode() and case.project.name not in raw.decode()


def test_mail_to_a_key_holder_arrives_encrypted(case, sirt, reporter, sink, pgp, rcpt_keyring):
    give_address(reporter, "reporter@example.org")
    preference_update(actor=reporter, digest_only=False, openpgp_key=pgp.valid)
    case_accept(actor=sirt, case=case)
    assert run_all() == ["delivered"]
    raw = _received(sink)
    assert b"-----BEGIN PGP MESSAGE-----" in raw and TITLE.encode() not in raw
    body = message_from_bytes(raw, policy=policy.default).get_body().get_content()
    assert TITLE in pgp.decrypt(body)


def test_an_unverified_address_gets_nothing(case, sirt, reporter, sink):
    reporter.email = "reporter@example.org"  # set, never confirmed
    reporter.save()
    case_accept(actor=sirt, case=case)
    assert run_all() == ["failed"]
    assert Delivery.objects.get().last_error == "unverified_address"
    time.sleep(0.3)
    assert not any(sink.glob("*.eml"))


def test_the_sink_binds_loopback_only():
    for host in ("127.0.0.1", "::1", "localhost"):
        check_loopback(host)
    for host in ("0.0.0.0", "192.0.2.1", "example.org"):
        with pytest.raises(Exception, match="loopback"):
            check_loopback(host)


def _outbox_with_one(case, sirt, reporter, sink):
    give_address(reporter, "reporter@example.org")
    case_accept(actor=sirt, case=case)
    run_all()
    _received(sink)
    return sink_list(sink)[0]


def test_outbox_page_lists_and_shows_mail_to_the_sirt_in_debug(
    case, sirt, reporter, sink, login, settings
):
    settings.DEBUG = True
    row = _outbox_with_one(case, sirt, reporter, sink)
    client = login(sirt)
    page = client.get("/notifications/outbox/").content.decode()
    assert f"Update on {case.human_id}" in page and "reporter@example.org" in page
    assert b"/notifications/outbox/" in client.get("/notifications/deliveries/").content
    shown = client.get(f"/notifications/outbox/{row.name}/")
    assert shown.status_code == 200 and f"/cases/{case.human_id}/" in shown.content.decode()


@pytest.mark.parametrize("who", ["maintainer", "reporter", "member_observer", "outsider"])
def test_outbox_is_404_for_anyone_but_the_sirt(
    request, case, sirt, reporter, sink, login, settings, who
):
    settings.DEBUG = True
    row = _outbox_with_one(case, sirt, reporter, sink)
    client = login(request.getfixturevalue(who))
    assert client.get("/notifications/outbox/").status_code == 404
    assert client.get(f"/notifications/outbox/{row.name}/").status_code == 404


def test_outbox_is_404_without_debug_even_for_the_sirt(case, sirt, reporter, sink, login):
    row = _outbox_with_one(case, sirt, reporter, sink)
    client = login(sirt)
    assert client.get("/notifications/outbox/").status_code == 404
    assert client.get(f"/notifications/outbox/{row.name}/").status_code == 404
    assert b"/notifications/outbox/" not in client.get("/notifications/deliveries/").content


def test_outbox_reads_only_the_sinks_own_file_names(sirt, login, settings, tmp_path):
    settings.DEBUG = True
    settings.AKRITES_MAIL_SINK_DIR = tmp_path / "outbox"
    (tmp_path / "secret.eml").write_text("Subject: not yours\n\nkeys")
    client = login(sirt)
    for name in ("..%2Fsecret.eml", "secret.eml", "..", "%2e%2e"):
        assert client.get(f"/notifications/outbox/{name}/").status_code == 404


def test_the_confirmation_link_travels_over_smtp_and_confirms(
    reporter, sink, login, django_capture_on_commit_callbacks
):
    client = login(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/notifications/preferences/", {"email": "rita@example.org"})
    message = message_from_bytes(_received(sink), policy=policy.default)
    assert message["To"] == "rita@example.org"
    link = re.search(r"/account/email/confirm/[A-Za-z0-9_-]+/", message.get_body().get_content())
    assert client.post(link.group(0)).status_code == 302
    reporter.refresh_from_db()
    assert reporter.has_verified_email
