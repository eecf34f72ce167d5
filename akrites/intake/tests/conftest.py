"""Intake fixtures: tokens for the cast, an isolated platform OpenPGP keyring."""

from __future__ import annotations

import subprocess

import gnupg
import pytest

from akrites.accounts.tokens import token_issue
from akrites.intake import keys
from akrites.intake.openpgp import IntakeKeyring


@pytest.fixture
def reporter_token(reporter, system):
    return token_issue(actor=system, user=reporter, name="t", scopes=["submit", "read"]).secret


@pytest.fixture
def auth(reporter_token):
    return {"HTTP_AUTHORIZATION": f"Bearer {reporter_token}"}


@pytest.fixture(scope="session")
def intake_keyring(tmp_path_factory):
    ring = IntakeKeyring(tmp_path_factory.mktemp("intake") / "gnupg")
    ring.ensure_key(name="Akrites intake", email="security@akrites.test")
    yield ring
    ring.close()


@pytest.fixture
def platform_key(intake_keyring, monkeypatch):
    """Use the test keyring as the platform keyring (never the developer's var/gnupg)."""
    monkeypatch.setattr(keys, "_keyring", intake_keyring)
    return intake_keyring


@pytest.fixture(scope="session")
def encrypt_to_platform(tmp_path_factory, intake_keyring):
    home = tmp_path_factory.mktemp("reporter") / "gnupg"
    home.mkdir(mode=0o700)
    gpg = gnupg.GPG(gnupghome=str(home), options=["--trust-model", "always"])
    gpg.import_keys(intake_keyring.public_key_armored())

    def encrypt(data: bytes, recipient: str | None = None) -> str:
        result = gpg.encrypt(data, recipient or intake_keyring.fingerprint(), armor=True)
        assert result.ok, result.status
        return str(result)

    yield encrypt
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)
