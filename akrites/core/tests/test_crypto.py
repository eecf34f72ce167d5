import pytest

from akrites.core.crypto import (
    CryptoError,
    Keyring,
    key_id_of,
    load_keyring,
    new_keyring,
    reset_cache,
)


def test_round_trip_and_key_id_is_stored():
    ring = new_keyring()
    blob = ring.encrypt(b"secret", aad=b"a.b.c")
    assert b"secret" not in blob
    assert key_id_of(blob) == ring.active
    assert ring.decrypt(blob, aad=b"a.b.c") == b"secret"


def test_value_moved_to_another_column_does_not_decrypt():
    ring = new_keyring()
    blob = ring.encrypt(b"secret", aad=b"cases.case.title")
    with pytest.raises(CryptoError, match="authentication"):
        ring.decrypt(blob, aad=b"intake.report.body")


def test_tampered_value_does_not_decrypt():
    ring = new_keyring()
    blob = bytearray(ring.encrypt(b"secret", aad=b"x"))
    blob[-1] ^= 1
    with pytest.raises(CryptoError):
        ring.decrypt(bytes(blob), aad=b"x")


def test_rotation_keeps_old_values_readable_until_key_retired():
    ring = new_keyring()
    old = ring.encrypt(b"old", aad=b"x")
    rotated = ring.with_new_active_key()
    assert rotated.active != ring.active
    assert rotated.decrypt(old, aad=b"x") == b"old"
    assert key_id_of(rotated.encrypt(b"new", aad=b"x")) == rotated.active
    retired = rotated.without(ring.active)
    with pytest.raises(CryptoError, match="no key"):
        retired.decrypt(old, aad=b"x")
    with pytest.raises(CryptoError, match="active"):
        rotated.without(rotated.active)


def test_keyring_json_round_trip_and_malformed_documents():
    ring = new_keyring().with_new_active_key()
    assert Keyring.from_json(ring.to_json()) == ring
    for bad in [
        "{",
        "{}",
        '{"active": "k9", "keys": {}}',
        '{"active": "k1", "keys": {"k1": "c2hvcnQ"}}',
    ]:
        with pytest.raises(CryptoError):
            Keyring.from_json(bad)


def test_load_keyring_creates_file_once_with_private_mode(tmp_path):
    reset_cache()
    path = tmp_path / "keys.json"
    first = load_keyring(env_value=None, path=path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_keyring(env_value=None, path=path) == first
    reset_cache()


def test_not_a_ciphertext():
    with pytest.raises(CryptoError):
        key_id_of(b"plain text value")
