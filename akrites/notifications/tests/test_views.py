import pytest

from akrites.notifications.models import Preference

pytestmark = pytest.mark.django_db


def test_deliveries_page_is_the_sirts(login, sirt, outsider):
    assert login(sirt).get("/notifications/deliveries/?status=failed").status_code == 200
    assert login(outsider).get("/notifications/deliveries/").status_code == 404


def test_preferences_upload_a_key_and_refuse_a_bad_one(login, reporter, pgp, rcpt_keyring):
    client = login(reporter)
    assert client.get("/notifications/preferences/").status_code == 200
    response = client.post("/notifications/preferences/", {"openpgp_key": pgp.expired})
    assert response.status_code == 200 and b"expired" in response.content
    assert not Preference.objects.filter(user=reporter).exists()
    response = client.post(
        "/notifications/preferences/", {"openpgp_key": pgp.valid, "digest_only": "on"}
    )
    assert response.status_code == 302
    pref = Preference.objects.get(user=reporter)
    assert (pref.openpgp_fingerprint, pref.digest_only) == (pgp.valid_fpr, True)
    client.post("/notifications/preferences/", {"remove_key": "on"})
    pref.refresh_from_db()
    assert (pref.openpgp_fingerprint, pref.digest_only) == ("", False)


def test_preferences_need_a_login(client):
    assert client.get("/notifications/preferences/").status_code == 302
