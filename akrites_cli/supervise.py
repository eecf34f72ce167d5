"""``akrites serve --with-worker [--with-mail-sink]``: the web server, one task worker and the
demo's SMTP sink under one command.

Both run as child processes of this one. When either exits, or this process gets SIGINT or
SIGTERM, the other is stopped too (SIGTERM, then SIGKILL after a grace period), so a worker
never outlives its server. On Linux the children also get SIGTERM if this process dies
without cleaning up (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import subprocess
import sys
import time
from types import FrameType

GRACE_SECONDS = 15.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def worker_argv() -> list[str]:
    # No autoreloader: its parent process would not pass our SIGTERM on to the real worker.
    return [sys.executable, "-m", "akrites_cli.main", "worker", "--no-reload"]


def mail_sink_argv() -> list[str]:
    return [sys.executable, "-m", "akrites_cli.main", "mail-sink"]


def run_together(commands: list[list[str]]) -> int:
    """Run ``commands`` side by side until one exits; return the first non-zero exit code."""
    procs = [
        subprocess.Popen(argv, preexec_fn=_die_with_parent)  # noqa: S603 - fixed argv, no shell
        for argv in commands
    ]

    def stop(signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while all(proc.poll() is None for proc in procs):
        time.sleep(0.2)
    stop()
    deadline = time.monotonic() + GRACE_SECONDS
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    codes = [proc.returncode for proc in procs]
    return next((code for code in codes if code not in (0, -signal.SIGTERM)), 0)
