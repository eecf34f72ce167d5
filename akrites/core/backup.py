"""Online backups and restores of the whole database, with a manifest to check them by.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
while the server keeps serving. PostgreSQL: ``pg_dump --format=custom`` / ``pg_restore
--clean``. Beside each backup a manifest records, per table, the row count and a SHA-256 over
its rows in primary-key order, so a restore drill can prove every table came back intact.

Encryption keys are NOT in the backup (a stolen backup must stay unreadable); back up
``var/keys.json`` (or your secret store) separately. The manifest lists the key ids in use.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from akrites.core.clock import now

MANIFEST_SUFFIX = ".manifest.json"


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why (no data in it)."""


def table_checksums(
    cursor: Any | None = None, *, tables: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 of every table's rows in primary-key (first column) order.

    ``cursor`` is any DB-API cursor (a plain ``sqlite3`` one for SQLite files, so values are
    compared as stored); by default Django's connection.
    """
    if cursor is None:
        with connection.cursor() as own:
            return table_checksums(own, tables=tables)
    if tables is None:
        tables = sorted(connection.introspection.table_names())
    result: dict[str, dict[str, Any]] = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608 - introspected name
        digest, count = hashlib.sha256(), 0
        for row in cursor.fetchall():
            digest.update(repr(tuple(_canonical(v) for v in row)).encode())
            count += 1
        result[table] = {"rows": count, "sha256": digest.hexdigest()}
    return result


def _sqlite_file_checksums(path: Path) -> dict[str, dict[str, Any]]:
    con = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return table_checksums(con.cursor(), tables=sorted(names))
    finally:
        con.close()


def checksums_now() -> dict[str, dict[str, Any]]:
    """Checksums of the configured database as it is now (for restore drills)."""
    if connection.vendor == "sqlite":
        return _sqlite_file_checksums(Path(str(settings.DATABASES["default"]["NAME"])))
    with _pg_connect() as con, con.cursor() as cur:
        return table_checksums(cur, tables=_pg_tables(con))


def _canonical(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    return value


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Path
    tables: int


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return env


def _pg_args() -> list[str]:
    db = settings.DATABASES["default"]
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def backup_create(*, directory: Path) -> BackupResult:
    """Write a consistent backup of the database and its manifest into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = now().strftime("%Y%m%dT%H%M%SZ")
    vendor = connection.vendor
    if vendor == "sqlite":
        path = directory / f"akrites-{stamp}.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        # Checksums of the copy itself: the live database may have moved on meanwhile.
        checksums = _sqlite_file_checksums(path)
    elif vendor == "postgresql":
        path = directory / f"akrites-{stamp}.dump"
        checksums = _pg_dump_with_checksums(path)
    else:  # pragma: no cover - only two engines are supported
        raise BackupError(f"unsupported database engine {vendor}")
    path.chmod(0o600)
    manifest = path.with_name(path.name + MANIFEST_SUFFIX)
    manifest.write_text(
        json.dumps(
            {
                "engine": vendor,
                "created_at": now().isoformat(),
                "tables": checksums,
                "file": path.name,
                "sha256": _file_sha256(path),
            },
            indent=2,
            sort_keys=True,
        ),
        encoding="utf-8",
    )
    return BackupResult(path=path, manifest=manifest, tables=len(checksums))


def backup_restore(*, path: Path) -> dict[str, Any]:
    """Restore ``path`` over the configured database (stop the server first) and return its
    manifest. Raises BackupError if the file does not match its manifest or the engine."""
    manifest_path = path.with_name(path.name + MANIFEST_SUFFIX)
    if not path.exists() or not manifest_path.exists():
        raise BackupError("backup file or its manifest is missing")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("sha256") != _file_sha256(path):
        raise BackupError("backup file does not match its manifest (corrupted or replaced)")
    if manifest.get("engine") != connection.vendor:
        raise BackupError(
            f"backup is for {manifest.get('engine')}, database is {connection.vendor}"
        )
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()
        cmd = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *_pg_args(),
            str(path),
        ]
        _run(cmd, "pg_restore")
    connection.close()
    return manifest


def _pg_connect() -> Any:
    """A plain psycopg connection (no Django type adapters: values compare as stored)."""
    import psycopg

    db = settings.DATABASES["default"]
    params = {
        "dbname": db["NAME"],
        "host": db.get("HOST"),
        "port": db.get("PORT"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
    }
    conninfo = psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items() if v})
    return psycopg.connect(conninfo)


def _pg_tables(con: Any) -> list[str]:
    rows = con.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    ).fetchall()
    return sorted(r[0] for r in rows)


def _pg_dump_with_checksums(path: Path) -> dict[str, dict[str, Any]]:
    """pg_dump and the checksums read the same exported snapshot, so they describe one state."""
    with _pg_connect() as con:
        con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = con.execute("SELECT pg_export_snapshot()").fetchone()
        cmd = [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            f"--snapshot={row[0]}",
            "--file",
            str(path),
            *_pg_args(),
        ]
        _run(cmd, "pg_dump")
        with con.cursor() as cur:
            return table_checksums(cur, tables=_pg_tables(con))


def _run(cmd: list[str], name: str) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv of pg tools, no shell
            cmd, env=_pg_env(), capture_output=True, text=True, timeout=3600
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError(f"{name} could not run: {type(exc).__name__}") from None
    if done.returncode != 0:
        # pg tools' stderr names objects, not row content; keep only its last line.
        last = (done.stderr.strip().splitlines() or ["no output"])[-1][:300]
        raise BackupError(f"{name} failed ({done.returncode}): {last}")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
