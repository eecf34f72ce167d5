"""E-mail against a real SMTP server on loopback (aiosmtpd), and OpenPGP recipients."""

import email
from datetime import timedelta

import pytest
from django.core import mail

from akrites.cases.services import case_accept
from akrites.core import clock
from akrites.core.errors import InvalidInput
from akrites.notifications.models import Delivery, Event, Preference
from akrites.notifications.services import notify
from akrites.notifications.services.preferences import preference_update
from akrites.notifications.tests.helpers import attempt_due, give_address, run_all

pytestmark = pytest.mark.django_db

TITLE = "Billion laughs in yamlkit.load"


def _accepted(case, sirt):
    case_accept(actor=sirt, case=case)
    return run_all()


def _body(envelope):
    return email.message_from_bytes(envelope.content).get_payload(decode=True).decode()


def test_short_notice_over_real_smtp_carries_only_id_and_link(case, sirt, reporter, smtp):
    give_address(reporter, "reporter@example.org")
    assert _accepted(case, sirt) == ["delivered"]
    (envelope,) = smtp.messages
    body = _body(envelope)
    assert envelope.rcpt_tos == ["reporter@example.org"]
    assert case.human_id in body and f"/cases/{case.human_id}/" in body
    assert TITLE not in envelope.content.decode()
    d = Delivery.objects.get()
    assert (d.status, d.encryption, d.attempts) == ("delivered", "none", 1)


def test_details_go_encrypted_to_the_recipients_key(case, sirt, reporter, smtp, pgp, rcpt_keyring):
    give_address(reporter, "reporter@example.org")
    preference_update(actor=reporter, digest_only=False, openpgp_key=pgp.valid)
    assert _accepted(case, sirt) == ["delivered"]
    (envelope,) = smtp.messages
    raw = envelope.content.decode()
    assert "BEGIN PGP MESSAGE" in raw and TITLE not in raw
    assert TITLE in pgp.decrypt(_body(envelope))
    assert Delivery.objects.get().encryption == "openpgp"


def test_expired_key_falls_back_to_the_notice_and_is_flagged(
    case, sirt, reporter, pgp, rcpt_keyring
):
    give_address(reporter, "reporter@example.org")
    preference_update(actor=reporter, digest_only=False, openpgp_key=pgp.valid)
    # The key expires after upload (stored as is, as if time had passed).
    reporter.notification_preference.openpgp_key = pgp.expired
    reporter.notification_preference.save()
    assert _accepted(case, sirt) == ["delivered"]
    (message,) = mail.outbox
    assert "could not be used" in message.body and TITLE not in message.body
    assert Delivery.objects.get().encryption == "fallback"


@pytest.mark.parametrize("which", ["garbage", "expired", "signing_only"])
def test_unusable_keys_are_refused_on_upload(reporter, pgp, rcpt_keyring, which):
    key = {"garbage": "-----BEGIN PGP PUBLIC KEY BLOCK-----\nnope\n"}.get(which) or getattr(
        pgp, which
    )
    with pytest.raises(InvalidInput) as err:
        preference_update(actor=reporter, digest_only=False, openpgp_key=key)
    assert err.value.field == "openpgp_key"
    assert not Preference.objects.filter(user=reporter).exists()


def test_refusing_server_retries_with_backoff_then_fails_visibly(
    case, sirt, reporter, smtp, settings
):
    settings.AKRITES_NOTIFY_MAX_ATTEMPTS = 3
    smtp.refuse = True
    give_address(reporter, "reporter@example.org")
    assert _accepted(case, sirt) == ["pending"]
    d = Delivery.objects.get()
    assert (d.status, d.last_error, d.attempts) == ("pending", "smtp_554", 1)
    assert d.next_attempt_at > clock.now()
    assert attempt_due() == []  # not due yet: backoff
    for expected in ("pending", "failed"):
        clock.advance(timedelta(hours=1))
        assert attempt_due() == [expected]
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("failed", 3)
    failed = Event.objects.get(kind="notification.failed")
    assert failed.data == {"delivery": d.pk, "channel": "email", "error": "smtp_554"}


def test_nothing_is_lost_when_the_server_recovers(case, sirt, reporter, smtp):
    smtp.refuse = True
    give_address(reporter, "reporter@example.org")
    assert _accepted(case, sirt) == ["pending"]
    smtp.refuse = False
    clock.advance(timedelta(hours=1))
    assert attempt_due() == ["delivered"]
    assert len(smtp.messages) == 1
    assert Delivery.objects.get().attempts == 2


def test_silent_server_times_out(case, sirt, reporter, silent_smtp):
    give_address(reporter, "reporter@example.org")
    assert _accepted(case, sirt) == ["pending"]
    assert Delivery.objects.get().last_error == "timeout"


def test_unreachable_server_is_a_retry_not_an_exception(case, sirt, reporter, closed_port):
    give_address(reporter, "reporter@example.org")
    assert _accepted(case, sirt) == ["pending"]
    assert Delivery.objects.get().last_error == "connect_error"


def test_recipient_without_address_fails_visibly_at_once(case, sirt, reporter):
    reporter.email = ""
    reporter.save()
    assert _accepted(case, sirt) == ["failed"]
    assert Delivery.objects.get().last_error == "no_address"


def test_duplicate_attempts_send_once(case, sirt, reporter):
    give_address(reporter, "reporter@example.org")
    notify("case.accept", case_id=case.pk, actor=sirt)
    from akrites.notifications.services.deliver import delivery_attempt
    from akrites.notifications.tests.helpers import dispatch_all

    (delivery_id,) = dispatch_all()
    assert delivery_attempt(delivery_id=delivery_id) == "delivered"
    assert delivery_attempt(delivery_id=delivery_id) == "skipped"
    assert len(mail.outbox) == 1
