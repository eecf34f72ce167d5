"""A task for worker tests: records every run in files, blocks on request, completes once.

Idempotent the way real tasks are: completion is claimed atomically (``O_EXCL``), so however
often the task runs, it completes exactly once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

try:
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    from django_tasks import task  # type: ignore[no-redef,unused-ignore]


@task()
def probe(*, directory: str, name: str, block_first_run: bool = False, seconds: float = 0.0) -> str:
    d = Path(directory)
    with (d / "runs.log").open("a") as f:
        f.write(f"{name} {os.getpid()}\n")
    marker = d / f"{name}.started"
    if block_first_run and not marker.exists():
        marker.touch()
        time.sleep(60)  # the test kills the worker here
    time.sleep(seconds)
    try:
        fd = os.open(d / f"{name}.done", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return "already done"
    os.close(fd)
    with (d / "completions.log").open("a") as f:
        f.write(f"{name}\n")
    return "done"
