"""``akrites mail serve`` (SMTP or LMTP listener for security@) and ``akrites mail poll``
(fetch a hosted mailbox over IMAP): both hand every mail to ``mail.inbound.mail_receive``."""

from __future__ import annotations

import imaplib
import os
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "The e-mail channel: serve SMTP/LMTP for security@, or poll an IMAP mailbox"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="listen for mail (SMTP; --lmtp for a local MTA)")
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=int, default=2525)
        serve.add_argument("--lmtp", action="store_true", help="speak LMTP (RFC 2033)")
        poll = sub.add_parser("poll", help="fetch unseen mail from an IMAP mailbox once or --every")
        poll.add_argument("--host", required=True)
        poll.add_argument("--port", type=int, default=993)
        poll.add_argument("--user", required=True)
        poll.add_argument(
            "--password-env",
            default="AKRITES_IMAP_PASSWORD",
            help="the environment variable holding the password (never on the command line)",
        )
        poll.add_argument("--folder", default="INBOX")
        poll.add_argument("--plain", action="store_true", help="no TLS (a loopback test server)")
        poll.add_argument("--every", type=int, default=0, help="seconds between polls; 0: once")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "serve":
            self._serve(options)
        else:
            self._poll(options)

    def _serve(self, options: dict[str, Any]) -> None:
        from akrites.mail import server

        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        try:
            controller = server.start(
                host=options["host"], port=options["port"], lmtp=options["lmtp"]
            )
        except OSError as exc:
            where = f"{options['host']}:{options['port']}"
            raise CommandError(f"cannot listen on {where}: {exc}") from None
        kind = "LMTP" if options["lmtp"] else "SMTP"
        self.stdout.write(f"Mail intake ({kind}) on {options['host']}:{options['port']}")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            controller.stop()
            controller.akrites_handler.close()

    def _poll(self, options: dict[str, Any]) -> None:
        from akrites.mail.imap import ImapSource, poll_once

        password = os.environ.get(options["password_env"], "")
        if not password:
            raise CommandError(f"set the password in ${options['password_env']}")
        source = ImapSource(
            host=options["host"],
            port=options["port"],
            user=options["user"],
            password=password,
            folder=options["folder"],
            tls=not options["plain"],
        )
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        while True:
            try:
                done = poll_once(source)
            except (imaplib.IMAP4.error, OSError) as exc:  # ssl.SSLError is an OSError
                if not options["every"]:
                    raise CommandError(f"IMAP poll failed: {exc.__class__.__name__}") from None
                self.stderr.write(f"IMAP poll failed ({exc.__class__.__name__}); trying again")
            else:
                self.stdout.write(
                    f"{done.fetched} fetched, {done.accepted} accepted, {done.failed} left"
                )
            self.stdout.flush()
            if not options["every"] or stop.wait(options["every"]):
                return
