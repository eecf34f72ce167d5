from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import override_settings


def test_production_hasher_is_argon2():
    # The autouse fixture swaps hashers for speed; the settings module itself says Argon2.
    from akrites import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_argon2_hash_format():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        assert make_password("correct horse battery staple").startswith("argon2$argon2id$")
    assert settings.AUTH_USER_MODEL == "accounts.User"
