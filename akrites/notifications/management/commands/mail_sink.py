"""``akrites mail-sink``: the demo's SMTP sink on loopback (see ``notifications.sink``).

Listens on ``--host``/``--port`` (default: ``AKRITES_EMAIL_HOST``/``AKRITES_EMAIL_PORT``, the
address Akrites sends to, so one setting points both ends at each other) and writes each
message to ``--dir`` (``AKRITES_MAIL_SINK_DIR``) until SIGTERM or SIGINT.
"""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from akrites.core.errors import InvalidInput
from akrites.notifications import sink


class Command(BaseCommand):
    help = "Run a local SMTP server that keeps every message (demo and development only)"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=None)
        parser.add_argument("--port", type=int, default=None)
        parser.add_argument("--dir", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        host = options["host"] or settings.EMAIL_HOST
        port = options["port"] or settings.EMAIL_PORT
        directory = Path(options["dir"] or settings.AKRITES_MAIL_SINK_DIR)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        try:
            controller = sink.start(host=host, port=port, directory=directory)
        except InvalidInput as exc:
            raise CommandError(exc.message) from None
        except ImportError:
            raise CommandError(
                "the mail sink needs aiosmtpd: pip install -e '.[demo]' (make run does)"
            ) from None
        self.stdout.write(f"Mail sink on smtp://{host}:{port}/, keeping messages in {directory}")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            controller.stop()
