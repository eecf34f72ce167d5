"""The TOTP device: seed encrypted at rest, django-otp verification kept (single use,
throttling), and killing sessions also revokes API tokens."""

import base64
from datetime import timedelta

import django_otp
import pyotp
import pytest
from django.db import connection
from django.utils import timezone

from akrites.access.tests.conftest import verified
from akrites.accounts.mfa import mfa_check, mfa_reset, secret_base32, sessions_kill
from akrites.accounts.models import ApiToken, TotpDevice
from akrites.accounts.tokens import token_issue
from akrites.audit.models import AuditEntry
from akrites.core import crypto
from akrites.core.errors import InvalidInput, NotFound
from akrites.core.fields import keyring

pytestmark = pytest.mark.mfa
SEED_HEX = "3132333435363738393031323334353637383930"  # RFC 6238's test seed


def _raw_key(device):
    with connection.cursor() as cur:
        key = connection.ops.quote_name("key")
        cur.execute(f"SELECT {key} FROM accounts_totpdevice WHERE id = %s", [device.pk])
        return bytes(cur.fetchone()[0])


def _code(device, at_step=None):
    totp = pyotp.TOTP(secret_base32(device))
    return totp.now() if at_step is None else totp.at(at_step * 30)


def test_the_seed_is_stored_encrypted(sirt, maintainer):
    device = mfa_reset(actor=sirt, user=maintainer, key_hex=SEED_HEX)
    raw = _raw_key(device)
    seed = bytes.fromhex(SEED_HEX)
    assert crypto.key_id_of(raw) == keyring().active
    for form in (seed, SEED_HEX.encode(), base64.b32encode(seed)):
        assert form not in raw
    assert TotpDevice.objects.get(pk=device.pk).bin_key == seed
    assert TotpDevice._meta.get_field("key").value_to_string(device) == "<encrypted>"


def test_a_new_device_gets_a_random_160_bit_seed(maintainer):
    first = TotpDevice.objects.create(user=maintainer, name="a", confirmed=False)
    second = TotpDevice.objects.create(user=maintainer, name="b", confirmed=False)
    assert len(first.bin_key) == 20 and first.bin_key != second.bin_key
    uri = first.config_url
    assert uri.startswith("otpauth://totp/Akrites%3Amaintainer?")
    assert f"secret={secret_base32(first)}" in uri and uri.endswith("&issuer=Akrites")


def test_a_code_is_accepted_once(sirt, maintainer):
    device = mfa_reset(actor=sirt, user=maintainer, key_hex=SEED_HEX)
    code = _code(device)
    assert mfa_check(actor=maintainer, code=code) == device
    assert mfa_check(actor=maintainer, code=code) is None
    assert TotpDevice.objects.get(pk=device.pk).last_t > 0


def test_failures_are_throttled(sirt, maintainer):
    device = mfa_reset(actor=sirt, user=maintainer, key_hex=SEED_HEX)
    assert mfa_check(actor=maintainer, code="000000") is None
    assert mfa_check(actor=maintainer, code=_code(device)) is None  # within the back-off
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # a refused-by-throttle try is not counted
    TotpDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=10)
    )
    assert mfa_check(actor=maintainer, code=_code(device)) is not None
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_django_otp_finds_and_verifies_the_device(client, sirt, maintainer):
    device = mfa_reset(actor=sirt, user=maintainer, key_hex=SEED_HEX)
    assert list(django_otp.devices_for_user(maintainer)) == [device]
    assert django_otp.verify_token(maintainer, device.persistent_id, _code(device)) == device
    verified(client, maintainer)
    assert client.get("/inbox/").status_code == 200  # OTPMiddleware loads the device


def test_a_malformed_key_is_refused(sirt, maintainer):
    with pytest.raises(InvalidInput):
        mfa_reset(actor=sirt, user=maintainer, key_hex="not-hex")
    with pytest.raises(InvalidInput):
        mfa_reset(actor=sirt, user=maintainer, key_hex="00" * 41)


def test_killing_sessions_revokes_every_api_token(client, sirt, maintainer, reporter):
    mine = [token_issue(actor=maintainer, user=maintainer, name=n, scopes=["read"]) for n in "ab"]
    theirs = token_issue(actor=reporter, user=reporter, name="r", scopes=["read"])
    for issued in (*mine, theirs):
        r = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
        assert r.status_code == 200
    assert sessions_kill(actor=sirt, user=maintainer) == 2
    for issued in mine:
        r = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
        assert r.status_code == 401
    r = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {theirs.secret}")
    assert r.status_code == 200
    entry = AuditEntry.objects.get(action="session.kill", object_id=str(maintainer.pk))
    assert entry.data == {
        "tokens_revoked": 2,
        "tokens": sorted(t.token.prefix for t in mine),
    }
    assert not ApiToken.objects.filter(user=maintainer, revoked_at__isnull=True).exists()


def test_killing_sessions_in_the_browser_revokes_tokens(client, sirt, maintainer):
    issued = token_issue(actor=maintainer, user=maintainer, name="ci", scopes=["read"])
    verified(client, sirt)
    assert client.post(f"/account/users/{maintainer.pk}/kill-sessions/").status_code == 200
    api = client.__class__()
    r = api.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert r.status_code == 401


def test_outsiders_cannot_kill_sessions_or_revoke_tokens(client, outsider, maintainer):
    issued = token_issue(actor=maintainer, user=maintainer, name="ci", scopes=["read"])
    verified(client, outsider)
    assert client.post(f"/account/users/{maintainer.pk}/kill-sessions/").status_code == 404
    with pytest.raises(NotFound):
        sessions_kill(actor=outsider, user=maintainer)
    r = client.__class__().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert r.status_code == 200
    assert not AuditEntry.objects.filter(action="session.kill").exists()
