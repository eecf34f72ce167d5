"""Typed readers for settings from the environment.

Every setting comes from the environment; a bad value fails loudly at start-up instead of
being silently replaced by a default. ``env_secret`` also reads ``NAME_FILE`` (a path) so
secrets can come from mounted files rather than the process environment.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(RuntimeError):
    """A setting in the environment has a value we cannot use."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_header_value(name: str) -> tuple[str, str] | None:
    """``Header-Name: value`` as Django's (``HTTP_HEADER_NAME``, value) pair, or None if unset.

    For ``SECURE_PROXY_SSL_HEADER``: the header a TLS proxy in front sets on https requests.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    header, sep, value = raw.partition(":")
    header, value = header.strip(), value.strip()
    if not sep or not value or not header.replace("-", "").isalnum():
        raise ConfigError(f"{name} must look like 'X-Forwarded-Proto: https', got {raw!r}")
    return "HTTP_" + header.upper().replace("-", "_"), value


def env_secret(name: str) -> str | None:
    """Return the secret in ``NAME`` or the content of the file named by ``NAME_FILE``."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if value and path:
        raise ConfigError(f"set either {name} or {name}_FILE, not both")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE: cannot read {path}: {exc.strerror}") from None
    return value or None


def generated_secret(path: Path, *, nbytes: int = 48) -> str:
    """Read a secret from ``path``, creating it (mode 0600) on first run.

    Used for the Django secret key on a fresh install so that nothing secret is ever
    committed and a newcomer needs no set-up step.
    """
    if not path.exists():
        # Several processes may start at once on a fresh install (gunicorn workers, test
        # workers): exactly one file wins, and everybody reads the winner.
        create_exclusive(path, secrets.token_urlsafe(nbytes))
    return path.read_text(encoding="utf-8").strip()


def create_exclusive(path: Path, text: str) -> bool:
    """Create ``path`` (mode 0600) with ``text`` unless it exists; never a partial file.

    The content is written to a private temporary file and hard-linked into place, which
    fails if ``path`` exists: readers see no file or the whole file. Returns True if this
    call created it.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class DatabaseUrl:
    engine: str  # "sqlite" or "postgresql"
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""


def parse_database_url(url: str) -> DatabaseUrl:
    """Parse ``sqlite:///abs/path``, ``sqlite:///relative`` or ``postgresql://u:p@h:port/db``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # As dj-database-url: sqlite:////abs/path is absolute, sqlite:///rel/path relative.
        path = unquote(parts.path)[1:]
        if not path:
            raise ConfigError("AKRITES_DATABASE_URL: sqlite URL needs a file path")
        return DatabaseUrl(engine="sqlite", name=path)
    if parts.scheme in {"postgres", "postgresql"}:
        name = parts.path.lstrip("/")
        if not name:
            raise ConfigError("AKRITES_DATABASE_URL: postgresql URL needs a database name")
        return DatabaseUrl(
            engine="postgresql",
            name=unquote(name),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=str(parts.port or ""),
        )
    raise ConfigError(f"AKRITES_DATABASE_URL: unsupported scheme {parts.scheme!r}")
