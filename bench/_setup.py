"""Start Django on a throw-away database for a benchmark.

SQLite by default (a scratch var dir). With ``--postgres URL`` (or AKRITES_BENCH_POSTGRES) a
fresh database is created on that server for the run and dropped afterwards.
"""

from __future__ import annotations

import atexit
import os
import platform
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def _fresh_postgres(url: str) -> str:
    import psycopg

    name = f"akrites_bench_{os.getpid()}"
    parts = urlsplit(url)
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    return urlunsplit(parts._replace(path=f"/{name}"))


def django_on_scratch_db() -> Path:
    """Point settings at a scratch var dir and a fresh database, then migrate."""
    scratch = Path(tempfile.mkdtemp(prefix="akrites-bench-"))
    os.environ["AKRITES_VAR_DIR"] = str(scratch)
    postgres = os.environ.get("AKRITES_BENCH_POSTGRES")
    if postgres:
        os.environ["AKRITES_DATABASE_URL"] = _fresh_postgres(postgres)
    else:
        os.environ.pop("AKRITES_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akrites.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return scratch


def machine() -> str:
    cpus = os.cpu_count()
    cpu = platform.processor() or platform.machine()
    return f"{platform.node()} · {cpu} · {cpus} cores · Python {platform.python_version()}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]
