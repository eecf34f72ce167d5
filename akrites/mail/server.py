"""The SMTP (or LMTP) listener of ``akrites mail serve``: aiosmtpd in front of
``mail_receive``.

Recipients are checked during the SMTP dialogue (RCPT): an address that is not the
platform's mailbox is refused there, so a misdirected mail is bounced by the sending MTA and
never by us. Each accepted mail is handled in one worker thread (Django's ORM is
synchronous; one thread keeps SQLite's single writer uncontended) and the code
``mail_receive`` chose is the SMTP answer: the sending MTA retries a 4xx, bounces a 5xx.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from akrites.conversation.replies import is_ours
from akrites.mail.inbound import mail_receive

logger = logging.getLogger(__name__)


def _handle(raw: bytes, recipients: list[str], peer: str) -> str:
    close_old_connections()
    try:
        result = mail_receive(raw, recipients=recipients, peer=peer)
    except Exception as exc:
        # The class only: an exception's message or traceback can quote the mail. The MTA
        # retries a 451, so the mail is not lost.
        logger.error("inbound mail failed (%s); answered 451", type(exc).__name__)
        return "451 4.3.0 Temporary failure, try again later"
    finally:
        close_old_connections()
    return f"{result.code} {result.text}"


class Handler:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="akrites-mail")

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if not is_ours(address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8", "surrogateescape")
        peer = str(session.peer[0]) if session.peer else ""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, _handle, data, list(envelope.rcpt_tos), peer)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def start(*, host: str, port: int, lmtp: bool = False) -> Any:
    """Start the listener in a background thread; returns the aiosmtpd controller (call
    ``stop()``, then ``akrites_handler.close()``)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.lmtp import LMTP
    from aiosmtpd.smtp import SMTP

    handler = Handler()
    size = settings.AKRITES_MAIL_MAX_BYTES

    class _Controller(Controller):
        akrites_handler: Handler

        def factory(self) -> Any:
            cls = LMTP if lmtp else SMTP
            return cls(
                handler,
                data_size_limit=size,
                hostname=settings.AKRITES_SECURITY_EMAIL.rsplit("@", 1)[-1],
                decode_data=False,
                ident="Akrites mail intake",
            )

    controller = _Controller(handler, hostname=host, port=port, ready_timeout=30)
    controller.start()
    controller.akrites_handler = handler
    return controller
