"""HSTS and the TLS-proxy header: read from the environment, sent on https responses."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from akrites.core.env import ConfigError, env_header_value

PROBE = (
    "import json, akrites.settings as s; "
    "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER]))"
)


def _settings(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("AKRITES_")}
    base.update(AKRITES_VAR_DIR=str(tmp_path), **env)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=base, capture_output=True, text=True, check=False
    )
    return out.returncode, out.stdout, out.stderr


def test_hsts_is_one_year_by_default_outside_debug_and_off_in_debug(tmp_path):
    assert json.loads(_settings(tmp_path)[1]) == [31_536_000, None]
    assert json.loads(_settings(tmp_path, AKRITES_DEBUG="1")[1])[0] == 0
    assert json.loads(_settings(tmp_path, AKRITES_HSTS_SECONDS="600")[1])[0] == 600


def test_the_proxy_header_is_read_and_a_malformed_one_stops_the_process(tmp_path):
    rc, out, _ = _settings(tmp_path, AKRITES_PROXY_SSL_HEADER="X-Forwarded-Proto: https")
    assert rc == 0 and json.loads(out)[1] == ["HTTP_X_FORWARDED_PROTO", "https"]
    rc, _, err = _settings(tmp_path, AKRITES_PROXY_SSL_HEADER="https")
    assert rc != 0 and "AKRITES_PROXY_SSL_HEADER" in err


@pytest.mark.parametrize("raw", ["https", "X-Forwarded-Proto:", ": https", "X Proto: https"])
def test_malformed_proxy_headers_are_refused(monkeypatch, raw):
    monkeypatch.setenv("X_PROXY", raw)
    with pytest.raises(ConfigError, match="X_PROXY"):
        env_header_value("X_PROXY")


@pytest.mark.django_db
@override_settings(
    SECURE_HSTS_SECONDS=31_536_000, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_https_through_the_proxy_gets_hsts_and_plain_http_does_not():
    through_tls = Client().get("/policy/", headers={"x-forwarded-proto": "https"})
    assert through_tls["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in Client().get("/policy/")
