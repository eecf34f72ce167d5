"""Tests for akrites.intake.openpgp: a real gpg, one platform keyring per module."""

from __future__ import annotations

import base64
import logging
import stat
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gnupg
import pytest

from akrites.core.errors import InvalidInput, TooLarge
from akrites.intake import openpgp
from akrites.intake.openpgp import IntakeKeyring, KeyringError, is_armored_message

REPORT = "Heap overflow in parse_header(); reproducer attached. ünïcödé".encode()
LIMIT = 1_000_000


def _kill_agents(home: Path) -> None:
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)


def _new_gpg(home: Path) -> tuple[gnupg.GPG, str]:
    home.mkdir(mode=0o700)
    gpg = gnupg.GPG(gnupghome=str(home), options=["--trust-model", "always", "--no-greeting"])
    params = gpg.gen_key_input(
        key_type="EDDSA",
        key_curve="ed25519",
        key_usage="sign",
        subkey_type="ECDH",
        subkey_curve="cv25519",
        subkey_usage="encrypt",
        name_real="Rita Reporter",
        name_email="rita@reporter.test",
        expire_date=0,
        no_protection=True,
    )
    return gpg, gpg.gen_key(params).fingerprint


@pytest.fixture(scope="module")
def platform_home(tmp_path_factory):
    return tmp_path_factory.mktemp("platform") / "gnupg"


@pytest.fixture(scope="module")
def platform_keyring(platform_home):
    keyring = IntakeKeyring(platform_home)
    keyring.ensure_key(name="Akrites intake", email="security@akrites.test")
    yield keyring
    keyring.close()


@pytest.fixture(scope="module")
def reporter_gpg(tmp_path_factory, platform_keyring):
    """A separate keyring playing the reporter, holding the platform public key."""
    home = tmp_path_factory.mktemp("reporter") / "gnupg"
    gpg, fingerprint = _new_gpg(home)
    assert gpg.import_keys(platform_keyring.public_key_armored()).fingerprints == [
        platform_keyring.fingerprint()
    ]
    yield gpg, fingerprint
    _kill_agents(home)


@pytest.fixture(scope="module")
def stranger_gpg(tmp_path_factory):
    home = tmp_path_factory.mktemp("stranger") / "gnupg"
    _gpg, fingerprint = _new_gpg(home)
    yield home, fingerprint
    _kill_agents(home)


def _encrypt(reporter_gpg, recipients, data: bytes = REPORT, **kwargs) -> str:
    gpg, _fingerprint = reporter_gpg
    result = gpg.encrypt(data, recipients, **kwargs)
    assert result.ok, result.status
    return str(result)


def _assert_safe_message(error: InvalidInput, *secrets: str | bytes) -> None:
    assert error.field == "body"
    for secret in secrets:
        text = secret.decode("utf-8", "replace") if isinstance(secret, bytes) else secret
        for line in text.splitlines():
            if len(line) > 8 and not line.startswith("-----"):
                assert line not in error.message


def test_home_directory_is_private(platform_keyring, platform_home):
    assert stat.S_IMODE(platform_home.stat().st_mode) == 0o700


def test_key_is_created_once_and_reused(platform_keyring, platform_home):
    first = platform_keyring.fingerprint()
    assert platform_keyring.ensure_key(name="Someone else", email="other@akrites.test") == first
    with IntakeKeyring(platform_home) as again:
        assert again.ensure_key(name="Akrites intake", email="security@akrites.test") == first
        assert again.fingerprint() == first
    secret_keys = gnupg.GPG(gnupghome=str(platform_home)).list_keys(secret=True)
    assert [key["fingerprint"] for key in secret_keys] == [first]


def test_key_uses_ed25519_and_cv25519(platform_keyring, tmp_path):
    scanner_home = tmp_path / "scanner"
    scanner_home.mkdir(mode=0o700)
    scanned = gnupg.GPG(gnupghome=str(scanner_home)).scan_keys_mem(
        platform_keyring.public_key_armored()
    )
    [key] = scanned
    assert key["fingerprint"] == platform_keyring.fingerprint()
    assert (key["algo"], key["curve"]) == ("22", "ed25519")  # EdDSA primary
    assert key["uids"] == ["Akrites intake <security@akrites.test>"]
    [subkey] = key["subkey_info"].values()
    assert (subkey["algo"], subkey["curve"], subkey["cap"]) == ("18", "cv25519", "e")  # ECDH


def test_empty_keyring_has_no_fingerprint(tmp_path):
    with IntakeKeyring(tmp_path / "gnupg") as empty, pytest.raises(KeyringError):
        empty.fingerprint()


@pytest.mark.parametrize("name", ["Evil\nPassphrase: x", "", "a <b@c>"])
def test_ensure_key_rejects_names_that_break_the_user_id(tmp_path, name):
    with IntakeKeyring(tmp_path / "gnupg") as keyring, pytest.raises(ValueError):
        keyring.ensure_key(name=name, email="security@akrites.test")


def test_message_from_reporter_decrypts_to_the_original_bytes(platform_keyring, reporter_gpg):
    armored = _encrypt(reporter_gpg, platform_keyring.fingerprint())
    assert platform_keyring.decrypt_armored(armored, max_bytes=LIMIT) == REPORT
    assert platform_keyring.decrypt_armored(armored.encode("ascii"), max_bytes=LIMIT) == REPORT


def test_binary_plaintext_survives(platform_keyring, reporter_gpg):
    data = bytes(range(256)) * 4
    armored = _encrypt(reporter_gpg, platform_keyring.fingerprint(), data)
    assert platform_keyring.decrypt_armored(armored, max_bytes=LIMIT) == data


def test_signed_and_encrypted_message_decrypts(platform_keyring, reporter_gpg):
    armored = _encrypt(reporter_gpg, platform_keyring.fingerprint(), sign=reporter_gpg[1])
    assert platform_keyring.decrypt_armored(armored, max_bytes=LIMIT) == REPORT


def test_message_to_several_recipients_decrypts(platform_keyring, reporter_gpg):
    armored = _encrypt(reporter_gpg, [reporter_gpg[1], platform_keyring.fingerprint()])
    assert platform_keyring.decrypt_armored(armored, max_bytes=LIMIT) == REPORT


def test_message_to_another_key_is_rejected(platform_keyring, reporter_gpg, stranger_gpg):
    home, fingerprint = stranger_gpg
    gpg, _ = reporter_gpg
    gpg.import_keys(gnupg.GPG(gnupghome=str(home)).export_keys(fingerprint))
    armored = _encrypt(reporter_gpg, fingerprint)
    with pytest.raises(InvalidInput, match="not encrypted to the platform key") as caught:
        platform_keyring.decrypt_armored(armored, max_bytes=LIMIT)
    _assert_safe_message(caught.value, armored, REPORT)


def test_passphrase_encrypted_message_is_rejected(platform_keyring, reporter_gpg):
    armored = _encrypt(
        reporter_gpg,
        None,
        symmetric=True,
        passphrase="hunter2",
        extra_args=["--s2k-count", "65536"],
    )
    with pytest.raises(InvalidInput, match="Passphrase-encrypted"):
        platform_keyring.decrypt_armored(armored, max_bytes=LIMIT)


def test_signed_but_unencrypted_message_is_rejected(platform_keyring, reporter_gpg):
    gpg, fingerprint = reporter_gpg
    armored = str(gpg.sign(REPORT, keyid=fingerprint, clearsign=False))
    assert is_armored_message(armored.encode())
    with pytest.raises(InvalidInput, match="not encrypted") as caught:
        platform_keyring.decrypt_armored(armored, max_bytes=LIMIT)
    _assert_safe_message(caught.value, REPORT)


def _truncated(armored: str) -> str:
    lines = armored.splitlines()
    return "\n".join([*lines[:3], *lines[-2:]]) + "\n"


def _corrupted(armored: str) -> str:
    lines = armored.splitlines()
    middle = len(lines) // 2
    line = lines[middle]
    lines[middle] = line[:4] + ("B" if line[4] == "A" else "A") + line[5:]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(_truncated, id="truncated"),
        pytest.param(_corrupted, id="corrupted"),
        pytest.param(lambda a: a.replace("-----END PGP MESSAGE-----", ""), id="no-end-line"),
        pytest.param(lambda a: "Hello,\n" + a, id="text-before"),
        pytest.param(lambda a: a + a, id="two-messages"),
        pytest.param(lambda a: REPORT.decode(), id="plain-text"),
        pytest.param(lambda a: "", id="empty"),
        pytest.param(
            lambda a: (
                "-----BEGIN PGP MESSAGE-----\n\nbm90IG9wZW5wZ3A=\n=AAAA\n"
                "-----END PGP MESSAGE-----\n"
            ),
            id="garbage-armour",
        ),
        pytest.param(
            lambda a: "-----BEGIN PGP MESSAGE-----\n\n-----END PGP MESSAGE-----\n", id="no-data"
        ),
    ],
)
def test_damaged_or_foreign_input_is_rejected(platform_keyring, reporter_gpg, damage):
    armored = _encrypt(reporter_gpg, platform_keyring.fingerprint())
    bad = damage(armored)
    with pytest.raises(InvalidInput) as caught:
        platform_keyring.decrypt_armored(bad, max_bytes=LIMIT)
    assert type(caught.value) is InvalidInput
    _assert_safe_message(caught.value, bad, REPORT)


def test_message_cut_inside_the_ciphertext_is_rejected(platform_keyring, reporter_gpg):
    # gpg emits the plaintext of a message missing its last byte before it notices; that
    # output must not be returned.
    gpg, _ = reporter_gpg
    binary = gpg.encrypt(REPORT * 100, platform_keyring.fingerprint(), armor=False).data
    body = base64.encodebytes(binary[:-1]).decode("ascii")
    armored = f"-----BEGIN PGP MESSAGE-----\n\n{body}-----END PGP MESSAGE-----\n"
    with pytest.raises(InvalidInput, match="damaged or truncated"):
        platform_keyring.decrypt_armored(armored, max_bytes=LIMIT)


def test_binary_openpgp_message_is_not_armour(platform_keyring, reporter_gpg):
    gpg, _ = reporter_gpg
    binary = gpg.encrypt(REPORT, platform_keyring.fingerprint(), armor=False).data
    with pytest.raises(InvalidInput, match="ASCII-armoured"):
        platform_keyring.decrypt_armored(binary, max_bytes=LIMIT)


def test_plaintext_at_the_limit_is_accepted(platform_keyring, reporter_gpg):
    armored = _encrypt(reporter_gpg, platform_keyring.fingerprint(), b"x" * 1000)
    assert platform_keyring.decrypt_armored(armored, max_bytes=1000) == b"x" * 1000


def test_oversize_plaintext_is_too_large(platform_keyring, reporter_gpg):
    armored = _encrypt(reporter_gpg, platform_keyring.fingerprint(), b"x" * 1001)
    with pytest.raises(TooLarge, match="1000 bytes") as caught:
        platform_keyring.decrypt_armored(armored, max_bytes=1000)
    assert caught.value.field == "body"


def test_compression_bomb_is_stopped_at_the_limit(platform_keyring, reporter_gpg, monkeypatch):
    # 50 MB of zeros compress to about 85 kB. gpg must be killed once the limit is passed
    # rather than left to inflate everything: count what it still managed to write.
    written = []
    original = openpgp._PlaintextSink.__call__

    def counting(sink, chunk):
        written.append(len(chunk))
        return original(sink, chunk)

    monkeypatch.setattr(openpgp._PlaintextSink, "__call__", counting)
    armored = _encrypt(reporter_gpg, platform_keyring.fingerprint(), bytes(50_000_000))
    with pytest.raises(TooLarge):
        platform_keyring.decrypt_armored(armored, max_bytes=LIMIT)
    assert sum(written) < LIMIT + 1_000_000


def test_gpg_that_hangs_is_stopped_by_the_timeout(
    tmp_path, platform_home, platform_keyring, reporter_gpg
):
    # A gpg wrapper that behaves until asked to decrypt, then hangs.
    fake = tmp_path / "gpg"
    fake.write_text('#!/bin/sh\ncase "$*" in *--decrypt*) exec sleep 30;; esac\nexec gpg "$@"\n')
    fake.chmod(0o755)
    armored = _encrypt(reporter_gpg, platform_keyring.fingerprint())
    hanging = IntakeKeyring(platform_home, timeout=0.5, gpg_binary=str(fake))
    started = time.monotonic()
    with pytest.raises(InvalidInput, match="too long"):
        hanging.decrypt_armored(armored, max_bytes=LIMIT)
    assert time.monotonic() - started < 5


def test_close_stops_the_agent(tmp_path):
    home = tmp_path / "gnupg"
    keyring = IntakeKeyring(home)
    keyring.ensure_key(name="Akrites intake", email="security@akrites.test")
    socket = subprocess.run(
        ["gpgconf", "--homedir", str(home), "--list-dirs", "agent-socket"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert Path(socket).exists()
    keyring.close()
    assert not Path(socket).exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"-----BEGIN PGP MESSAGE-----\n\nabc\n-----END PGP MESSAGE-----\n", True),
        (b"\r\n  -----BEGIN PGP MESSAGE-----\r\n\r\nabc\r\n-----END PGP MESSAGE-----\r\n", True),
        (b"-----BEGIN PGP SIGNED MESSAGE-----\n...\n-----END PGP SIGNATURE-----\n", False),
        (b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n-----END PGP PUBLIC KEY BLOCK-----\n", False),
        (b"see below\n-----BEGIN PGP MESSAGE-----\nabc\n-----END PGP MESSAGE-----\n", False),
        (b"-----BEGIN PGP MESSAGE-----\n\xc3\xa9\n-----END PGP MESSAGE-----\n", False),
        (b"\x85\x01\x0c", False),
        (b"", False),
    ],
)
def test_is_armored_message(data, expected):
    assert is_armored_message(data) is expected


def test_logs_carry_neither_plaintext_nor_ciphertext(platform_keyring, reporter_gpg, caplog):
    marker = b"EMBARGOED-MARKER-7f3a"
    good = _encrypt(reporter_gpg, platform_keyring.fingerprint(), marker * 10)
    bad = _corrupted(good)
    caplog.set_level(logging.DEBUG)
    assert platform_keyring.decrypt_armored(good, max_bytes=LIMIT) == marker * 10
    with pytest.raises(InvalidInput):
        platform_keyring.decrypt_armored(bad, max_bytes=LIMIT)
    with pytest.raises(TooLarge):
        platform_keyring.decrypt_armored(good, max_bytes=20)
    assert caplog.records  # python-gnupg does log at DEBUG; it must not log content
    assert marker.decode() not in caplog.text
    for line in (good + bad).splitlines():
        if len(line) > 16 and not line.startswith("-----"):
            assert line not in caplog.text


def test_threads_can_share_one_keyring(platform_keyring, reporter_gpg):
    messages = {
        n: _encrypt(reporter_gpg, platform_keyring.fingerprint(), f"report {n}".encode())
        for n in range(8)
    }
    expected_fingerprint = platform_keyring.fingerprint()

    def work(n):
        assert platform_keyring.fingerprint() == expected_fingerprint
        return platform_keyring.decrypt_armored(messages[n], max_bytes=LIMIT)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(8)))
    assert results == [f"report {n}".encode() for n in range(8)]
