"""Fetch a hosted mailbox (IMAP4rev1 over TLS): every unseen mail goes to ``mail_receive``;
handled ones are marked ``\\Seen``, so a poll that stops midway repeats only what it had
not finished (and ``mail_receive`` is idempotent by Message-ID anyway). A mail answered with
a temporary failure (4xx), or one whose handling raised, stays unseen for the next poll; a
permanent refusal (5xx) is final and marked ``\\Seen`` like an accepted mail."""

from __future__ import annotations

import imaplib
import logging
import ssl
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from django.conf import settings

from akrites.conversation.replies import is_ours
from akrites.mail.inbound import mail_receive

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImapSource:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    tls: bool = True


@dataclass(frozen=True)
class Polled:
    fetched: int
    accepted: int
    failed: int


def _connect(source: ImapSource) -> imaplib.IMAP4:
    if source.tls:
        return imaplib.IMAP4_SSL(
            source.host, source.port, ssl_context=ssl.create_default_context(), timeout=30
        )
    return imaplib.IMAP4(source.host, source.port, timeout=30)


def _quoted(mailbox: str) -> str:
    """``mailbox`` as an IMAP quoted string (imaplib sends arguments as they are, so a name
    with a space would be two arguments). Only ASCII without CR/LF: other names need
    modified UTF-7 (RFC 3501 5.1.3), which this poller does not speak."""
    if not mailbox.isascii() or "\r" in mailbox or "\n" in mailbox:
        raise ValueError("the IMAP folder name must be ASCII on one line")
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _recipients(raw: bytes) -> list[str]:
    """Whom a mail in the mailbox was for: our addresses its trace (``Delivered-To``,
    ``X-Original-To``) or its To/Cc name, else security@ itself. The mailbox is security@'s,
    so everything in it was delivered to us — a Bcc, or a Cc next to a maintainer's list,
    names us nowhere in To, and must not vanish as "no such mailbox"."""
    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    fields = ("Delivered-To", "X-Original-To", "To", "Cc")
    values = [str(v) for name in fields for v in headers.get_all(name, []) or []]
    ours = [address for _, address in getaddresses(values) if is_ours(address)]
    return list(dict.fromkeys(ours)) or [settings.AKRITES_SECURITY_EMAIL]


def poll_once(source: ImapSource) -> Polled:
    """One pass over the unseen mail of ``source``."""
    fetched = accepted = failed = 0
    folder = _quoted(source.folder)  # before connecting: a bad name is no server's fault
    with _connect(source) as imap:
        imap.login(source.user, source.password)
        status, _ = imap.select(folder)
        if status != "OK":  # else imaplib's own error would only say UID is illegal here
            raise imaplib.IMAP4.error(f"IMAP SELECT {source.folder!r} failed: {status}")
        status, data = imap.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise OSError(f"IMAP SEARCH failed: {status}")
        for uid in (bytes(data[0] or b"")).decode().split():
            status, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if status != "OK" or raw is None:
                failed += 1
                continue
            fetched += 1
            try:
                result = mail_receive(bytes(raw), recipients=_recipients(bytes(raw)))
            except Exception as exc:  # one mail that breaks must not stop every later one
                # the class only: an exception's text may quote the mail
                logger.warning("IMAP mail uid %s not handled (%s)", uid, type(exc).__name__)
                failed += 1
                continue
            if 400 <= result.code < 500:
                failed += 1  # stays unseen: tried again next time
                continue
            accepted += result.code < 300
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        imap.logout()
    return Polled(fetched=fetched, accepted=accepted, failed=failed)
