"""A private, throw-away PostgreSQL cluster the crash test may kill at will.

Killing the shared server would break every other test using it, so the database-crash drill
runs on its own cluster: ``initdb`` into a temporary directory, a free loopback port, trust
authentication (loopback only). As root every command runs as the ``postgres`` user, since
PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from bench.live import children, free_port


def _bindir() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts)
    return versions[-1].parent if versions else None


def available() -> bool:
    return _bindir() is not None and (os.geteuid() != 0 or shutil.which("runuser") is not None)


class Cluster:
    """``start()``, ``crash_immediate()``, ``kill_backend()``, ``close()``; ``url`` to use."""

    def __init__(self) -> None:
        bindir = _bindir()
        assert bindir is not None
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="akrites-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        argv = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"),
                  "-w", "start")  # fmt: skip

    def postmaster(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def crash_immediate(self, down: float) -> None:
        """Immediate shutdown (no checkpoint: crash recovery on start), ``down`` s offline."""
        self._run("pg_ctl", "-D", str(self.data), "stop", "-m", "immediate")
        time.sleep(down)
        self.start()

    def kill_backend(self) -> bool:
        """SIGKILL one backend: the postmaster then resets every session and recovers."""
        backends = []
        for pid in children(self.postmaster()):
            with contextlib.suppress(OSError):
                if b"akrites" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    backends.append(pid)
        if not backends:
            return False
        os.kill(backends[len(backends) // 2], signal.SIGKILL)
        return True

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "stop", "-m", "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
