import pytest

from akrites.core.env import ConfigError, env_bool, env_int, env_secret, parse_database_url


def test_env_bool_reads_true_false_and_default(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", True) is True


@pytest.mark.parametrize("value", ["maybe", "2", "tru"])
def test_env_bool_fails_loudly_on_nonsense(monkeypatch, value):
    monkeypatch.setenv("X_FLAG", value)
    with pytest.raises(ConfigError, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_env_int_checks_type_and_minimum(monkeypatch):
    monkeypatch.setenv("X_N", "12")
    assert env_int("X_N", 1) == 12
    monkeypatch.setenv("X_N", "twelve")
    with pytest.raises(ConfigError):
        env_int("X_N", 1)
    monkeypatch.setenv("X_N", "0")
    with pytest.raises(ConfigError, match="at least"):
        env_int("X_N", 1, minimum=1)


def test_env_secret_reads_file_variant(monkeypatch, tmp_path):
    secret = tmp_path / "s"
    secret.write_text("hunter2-but-long\n")
    monkeypatch.delenv("X_SECRET", raising=False)
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_secret("X_SECRET") == "hunter2-but-long"
    monkeypatch.setenv("X_SECRET", "direct")
    with pytest.raises(ConfigError, match="not both"):
        env_secret("X_SECRET")
    monkeypatch.delenv("X_SECRET")
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="cannot read"):
        env_secret("X_SECRET")


@pytest.mark.parametrize(
    ("url", "engine", "name", "host", "port"),
    [
        ("sqlite:////abs/path/db.sqlite3", "sqlite", "/abs/path/db.sqlite3", "", ""),
        ("sqlite:///var/db.sqlite3", "sqlite", "var/db.sqlite3", "", ""),
        (
            "postgresql://u:p%40ss@127.0.0.1:5433/akrites",
            "postgresql",
            "akrites",
            "127.0.0.1",
            "5433",
        ),
        ("postgres://u@localhost/x", "postgresql", "x", "localhost", ""),
    ],
)
def test_parse_database_url(url, engine, name, host, port):
    db = parse_database_url(url)
    assert (db.engine, db.name, db.host, db.port) == (engine, name, host, port)


def test_parse_database_url_password_is_unquoted():
    assert parse_database_url("postgresql://u:p%40ss@h/db").password == "p@ss"


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://", "postgresql://h/"])
def test_parse_database_url_rejects_unusable(url):
    with pytest.raises(ConfigError):
        parse_database_url(url)
