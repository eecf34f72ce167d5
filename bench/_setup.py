"""Start Django on a throw-away database for a benchmark (SQLite by default)."""

from __future__ import annotations

import os
import platform
import tempfile
from pathlib import Path


def django_on_scratch_db() -> Path:
    """Point settings at a scratch var dir (unless AKRITES_DATABASE_URL is given) and migrate."""
    scratch = Path(tempfile.mkdtemp(prefix="akrites-bench-"))
    os.environ.setdefault("AKRITES_VAR_DIR", str(scratch))
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
