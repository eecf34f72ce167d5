"""A live Akrites installation for proof tests and load benchmarks: its own database, the
production server (``akrites serve``, gunicorn) and task workers as child processes.

Contract: ``Site.create(vendor)`` makes a fresh, migrated database — a SQLite file under a new
``AKRITES_VAR_DIR``, or a new PostgreSQL database on the server named by ``postgres_url`` —
and ``Site.close()`` stops every process it started and drops that database. A migrated
template is kept per process (``template_for``), because migrating takes tens of seconds on a
loaded machine and every test wants a fresh copy. In-database work (seeding, checking) runs
in a child process through ``bench.live_db``, so the caller's own Django (pytest-django's
test database) is never touched.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
_TEMPLATES: dict[tuple[str, str], tuple[Path, str | None]] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute(sql)  # type: ignore[arg-type]


def _pg_drop_quietly(url: str, name: str) -> None:
    # At exit the server may be gone (a private cluster already stopped): nothing to drop.
    with contextlib.suppress(Exception):
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_url(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def base_env(var_dir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    """The environment of every child: its own var dir and database, quiet logs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "AKRITES_"))}
    keep = ("AKRITES_SHARED_DIR",)
    env.update({k: os.environ[k] for k in keep if k in os.environ})
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "akrites.settings",
            "AKRITES_VAR_DIR": str(var_dir),
            "AKRITES_LOG_LEVEL": "WARNING",
            "AKRITES_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "PYTHONPATH": str(ROOT),
        }
    )
    if database_url:
        env["AKRITES_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def _run(env: dict[str, str], *argv: str, timeout: float = 600) -> str:
    out = subprocess.run(
        [sys.executable, *argv], env=env, cwd=ROOT, capture_output=True, timeout=timeout, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed ({out.returncode}):\n{out.stderr[-4000:]}")
    return out.stdout


def template_for(vendor: str, postgres_url: str | None) -> tuple[Path, str | None]:
    """A migrated var dir (and PostgreSQL template database), made once per process."""
    key = (vendor, postgres_url or "")
    if key in _TEMPLATES:
        return _TEMPLATES[key]
    var_dir = Path(tempfile.mkdtemp(prefix="akrites-live-tpl-"))
    db_url = None
    if vendor == "postgresql":
        assert postgres_url
        name = f"akrites_live_tpl_{os.getpid()}"
        _pg_admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(postgres_url, f'CREATE DATABASE "{name}"')
        db_url = _pg_url(postgres_url, name)
        atexit.register(_pg_drop_quietly, postgres_url, name)
    _run(base_env(var_dir, db_url), "-m", "akrites_cli.main", "migrate", "-v", "0")
    _run(base_env(var_dir, db_url), "-m", "akrites_cli.main", "manage", "collectstatic",
         "--no-input", "-v", "0")  # fmt: skip
    atexit.register(shutil.rmtree, var_dir, True)
    _TEMPLATES[key] = (var_dir, db_url)
    return _TEMPLATES[key]


@dataclass
class Site:
    """One installation: var dir, database URL (None: SQLite in the var dir), processes."""

    vendor: str
    var_dir: Path
    database_url: str | None
    postgres_admin_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    port: int = 0

    @classmethod
    def create(cls, vendor: str, *, postgres_url: str | None = None, **extra_env: str) -> Site:
        """A fresh copy of the migrated template (SQLite file or PostgreSQL database)."""
        tpl_dir, tpl_db = template_for(vendor, postgres_url)
        var_dir = Path(tempfile.mkdtemp(prefix="akrites-live-"))
        shutil.copytree(tpl_dir, var_dir, dirs_exist_ok=True)
        db_url = None
        if vendor == "postgresql":
            assert postgres_url and tpl_db
            name = f"akrites_live_{os.getpid()}_{int(time.time() * 1000) % 10**9}"
            tpl = urlsplit(tpl_db).path.lstrip("/")
            _pg_admin(postgres_url, f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"')
            db_url = _pg_url(postgres_url, name)
        return cls(vendor, var_dir, db_url, postgres_url, dict(extra_env))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return base_env(self.var_dir, self.database_url, **self.extra_env)

    def db(self, command: str, *args: str, stdin: str | None = None) -> Any:
        """Run ``bench.live_db COMMAND ARGS`` in this site's environment; its JSON answer."""
        out = subprocess.run(
            [sys.executable, "-m", "bench.live_db", command, *args],
            env=self.env(), cwd=ROOT, capture_output=True, text=True, input=stdin, timeout=900,
        )  # fmt: skip
        if out.returncode != 0:
            raise RuntimeError(f"live_db {command} failed:\n{out.stderr[-4000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start_server(self, *, workers: int = 3, threads: int = 4, timeout: float = 90) -> None:
        """``akrites serve`` on a free loopback port; returns once /api/v1/health answers."""
        self.port = self.port or free_port()
        argv = [sys.executable, "-m", "akrites_cli.main", "serve", "--no-migrate",
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                "--threads", str(threads)]  # fmt: skip
        self.server = subprocess.Popen(
            argv, env=self.env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server is not None and self.server.poll() is not None:
                raise RuntimeError(f"server exited with {self.server.returncode}")
            try:
                r = httpx.get(f"{self.base_url}/api/v1/health", timeout=2)
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("server did not become healthy")

    def web_workers(self) -> list[int]:
        """Pids of the gunicorn worker processes (children of the master)."""
        assert self.server is not None
        return children(self.server.pid)

    def start_worker(self) -> subprocess.Popen[bytes]:
        """One ``akrites worker`` (tasks + scheduler), appended to ``workers``."""
        argv = [sys.executable, "-m", "akrites_cli.main", "worker", "--no-reload",
                "--interval", "0.2"]  # fmt: skip
        proc = subprocess.Popen(
            argv, env=self.env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.workers.append(proc)
        return proc

    def stop_processes(self) -> None:
        procs = [p for p in [self.server, *self.workers] if p is not None]
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.server, self.workers = None, []

    def close(self) -> None:
        """Stop everything and drop the database (PostgreSQL) and the var dir."""
        self.stop_processes()
        if self.vendor == "postgresql" and self.database_url and self.postgres_admin_url:
            name = urlsplit(self.database_url).path.lstrip("/")
            _pg_admin(self.postgres_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(self.var_dir, ignore_errors=True)


def children(pid: int) -> list[int]:
    """Direct children of ``pid``, from /proc (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def postgres_server_url() -> str | None:
    """The PostgreSQL server to create scratch databases on, when the run is on PostgreSQL."""
    for name in ("AKRITES_BENCH_POSTGRES", "AKRITES_DATABASE_URL", "AKRITES_TEST_POSTGRES"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return None
