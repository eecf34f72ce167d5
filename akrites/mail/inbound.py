"""A mail to ``security@`` becomes a report; a mail to a reply address, a case message.

``mail_receive`` is the one entry for every transport (the SMTP/LMTP listener, the IMAP
poller, a test). It is idempotent by Message-ID, decrypts PGP/MIME and inline PGP with the
intake key, keeps attachments, records what the border MTA said about the sender, and sends
a receipt only to an authenticated sender, at most ``AKRITES_MAIL_RECEIPTS_PER_HOUR`` an hour
(never to a forged address: no backscatter). A reply through ``local+token@`` is posted as
the token's user to the token's audience, after the policy agreed; a forged, expired,
revoked or misdirected token is refused and audited, and nothing is posted.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage as OutgoingMail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.crypto import salted_hmac

from akrites.accounts.models import User
from akrites.audit.services import audit_append
from akrites.conversation.models import Message, Via
from akrites.conversation.replies import answered_number, is_ours, reply_token_resolve, token_of
from akrites.conversation.services import NewAttachment, message_post
from akrites.core.actors import SystemActor
from akrites.core.clock import now
from akrites.core.errors import (
    AkritesError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from akrites.core.mail import send_now
from akrites.intake.keys import platform_keyring
from akrites.intake.models import Channel
from akrites.intake.openpgp import is_armored_message
from akrites.intake.parsers.model import Attachment
from akrites.intake.parsers.text import parse_text
from akrites.intake.ratelimit import rate_take
from akrites.intake.selectors import status_digest
from akrites.intake.services.record import Submission, reports_record
from akrites.mail import authresults
from akrites.mail.models import InboundMail, Outcome

logger = logging.getLogger(__name__)
MAIL = SystemActor("mail")
_QUOTED_HEADER = re.compile(r"(?m)^On .{0,200}wrote:\s*$")


@dataclass(frozen=True)
class Received:
    """What the transport answers: an SMTP code and text (no content, no report details)."""

    code: int
    text: str
    outcome: str = ""
    report_id: str = ""
    message_number: int | None = None


class _Refused(Exception):
    def __init__(self, reason: str, code: int = 550, text: str = "") -> None:
        super().__init__(reason)
        self.reason, self.code, self.text = reason, code, text or "5.7.1 Not accepted"


def _key(message: EmailMessage, raw: bytes) -> str:
    mid = str(message.get("Message-ID", "")).strip()
    return hashlib.sha256(mid.encode() if mid else raw).hexdigest()


def _sender_digest(address: str) -> str:
    return salted_hmac("akrites.mail.sender", address.casefold(), algorithm="sha256").hexdigest()


def _decrypt(data: bytes) -> bytes:
    return platform_keyring().decrypt_armored(data, max_bytes=settings.AKRITES_MAIL_MAX_BYTES)


def _open(message: EmailMessage) -> tuple[EmailMessage, bool]:
    """The message with a PGP/MIME layer removed (the decrypted MIME entity), and whether it
    was encrypted."""
    if message.get_content_type() == "multipart/encrypted":
        parts = [
            p for p in message.iter_parts() if p.get_content_type() != "application/pgp-encrypted"
        ]
        if not parts:
            raise InvalidInput("body", "PGP/MIME without an encrypted part")
        payload = parts[0].get_payload(decode=True)
        inner = BytesParser(policy=policy.default).parsebytes(_decrypt(bytes(payload or b"")))
        assert isinstance(inner, EmailMessage)
        return inner, True
    return message, False


def _text_and_files(message: EmailMessage) -> tuple[str, list[tuple[str, str, bytes]], bool]:
    """The text of the mail (inline PGP decrypted), its attachments, and whether any part
    was encrypted inline."""
    encrypted = False
    body_part = message.get_body(preferencelist=("plain",))
    text = ""
    if body_part is not None:
        text = str(body_part.get_content())
        if is_armored_message(text.encode()):
            text = _decrypt(text.encode()).decode("utf-8", errors="replace")
            encrypted = True
    files = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True) or b""
        name = part.get_filename() or "attachment"
        media = part.get_content_type()
        if name.endswith((".asc", ".gpg", ".pgp")) and is_armored_message(bytes(data)):
            data, name, encrypted = _decrypt(bytes(data)), name.rsplit(".", 1)[0], True
        files.append((name, media, bytes(data)))
    return text, files, encrypted


def _strip_quote(text: str) -> str:
    """A reply without the quoted mail under it ("On … wrote:" and ">" lines at the end)."""
    match = _QUOTED_HEADER.search(text)
    if match:
        text = text[: match.start()]
    lines = text.rstrip().split("\n")
    while lines and lines[-1].startswith(">"):
        lines.pop()
    return "\n".join(lines).strip()


def mail_receive(raw: bytes, *, recipients: list[str], peer: str = "") -> Received:
    """Handle one mail for ``recipients`` (the envelope's RCPT TO, else its To/Cc)."""
    if len(raw) > settings.AKRITES_MAIL_MAX_BYTES:
        # Recorded (and audited) like every refusal: a poller marks it seen, so it must not
        # vanish unseen by the SIRT.
        _refuse(InboundMail(key=hashlib.sha256(raw).hexdigest(), received_at=now()), "too_big", "")
        return Received(552, "5.3.4 Message too big", Outcome.REFUSED)
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    key = _key(parsed, raw)
    first = InboundMail.objects.filter(key=key).first()
    if first is not None:  # the same mail again: the first answer, nothing new
        _replayed(first)
        return Received(250, "2.0.0 Already received", first.outcome, first.report_id)
    sender = parseaddr(str(parsed.get("From", "")))[1].strip()
    auth = authresults.read(parsed)
    authenticated = auth.authenticated(sender.rsplit("@", 1)[-1] if "@" in sender else "")
    if not recipients:
        headers = [str(v) for name in ("To", "Cc") for v in parsed.get_all(name, []) or []]
        recipients = [a for _, a in getaddresses(headers)]
    ours = [r for r in recipients if is_ours(r)]
    if not ours:
        return Received(550, "5.1.1 No such mailbox here")
    tokens = [t for t in (token_of(r) for r in ours) if t]
    record = InboundMail(
        key=key,
        received_at=now(),
        sender=sender,
        sender_digest=_sender_digest(sender) if sender else "",
        authentication=auth.summary(),
        authenticated=authenticated,
    )
    try:
        if tokens:
            result = _reply(parsed, tokens[0], sender, authenticated, record)
        elif any(not _is_security(r) for r in ours):  # local+… that is no token of ours
            raise _Refused("forged_token")
        else:
            result = _report(parsed, sender, authenticated, record)
    except RateLimited:
        return Received(451, "4.7.1 Too many reports from this sender; try again later")
    except _Refused as refused:
        _refuse(record, refused.reason, sender)
        return Received(refused.code, refused.text, Outcome.REFUSED)
    except AkritesError as exc:  # a mail we cannot take: said to the sending MTA, once
        _refuse(record, f"invalid:{getattr(exc, 'field', '')}"[:40], sender)
        return Received(550, f"5.6.0 Not accepted: {exc.message}"[:200], Outcome.REFUSED)
    return result


def _replayed(first: InboundMail) -> None:
    """Count a repeated delivery; the first repeat is audited (a replayed reply is refused
    by being ignored: it posts nothing), later ones only counted, so a loop cannot grow the
    audit chain."""
    with transaction.atomic():
        InboundMail.objects.filter(pk=first.pk).update(replays=F("replays") + 1)
        if first.replays == 0:
            audit_append(
                actor=MAIL,
                action="mail.replayed",
                object_type="mail",
                object_id=first.key[:16],
                data={"outcome": first.outcome},
            )


def _is_security(address: str) -> bool:
    return address.strip().strip("<>").lower() == settings.AKRITES_SECURITY_EMAIL.lower()


def _save(record: InboundMail) -> bool:
    """Store the record; False when a concurrent delivery of the same mail stored it first."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        return False
    return True


def _refuse(record: InboundMail, reason: str, sender: str) -> None:
    record.outcome, record.reason = Outcome.REFUSED, reason
    with transaction.atomic():
        if not _save(record):
            return
        audit_append(
            actor=MAIL,
            action="mail.refused",
            object_type="mail",
            object_id=record.key[:16],
            data={"reason": reason, "authenticated": record.authenticated},
        )
    logger.info("inbound mail refused: %s", reason)


def _report(
    message: EmailMessage, sender: str, authenticated: bool, record: InboundMail
) -> Received:
    opened, encrypted = _open(message)
    text, files, inline = _text_and_files(opened)
    subject = " ".join(str(message.get("Subject", "")).split())
    if subject and not text.lstrip().startswith(subject):
        text = f"{subject}\n\n{text}"
    parsed = parse_text(text, default_purl=None)
    parsed = replace(
        parsed,
        attachments=tuple(Attachment(name=n, media_type=m, content=c) for n, m, c in files),
    )
    user = _known_sender(sender, authenticated)
    secret = secrets.token_urlsafe(24)
    sub = Submission(
        parsed=parsed,
        contact="" if user else sender,
        status_digest="" if user else status_digest(secret),
        encrypted=encrypted or inline,
    )
    with transaction.atomic():
        # As for the web form: a sender (and the channel as a whole) has a budget per window;
        # over it the sending MTA is told to retry later (451), so nothing is lost.
        rate_take(
            buckets={
                f"mail-sender:{record.sender_digest or 'none'}": settings.AKRITES_MAIL_PER_SENDER,
                "mail-all": settings.AKRITES_MAIL_PER_WINDOW,
            }
        )
        outcome = reports_record(actor=user or MAIL, submissions=[sub], channel=Channel.EMAIL)[0]
        record.outcome, record.report_id = Outcome.REPORT, outcome.report.public_id
        record.case_id = outcome.case.pk if outcome.case else None
        if not _save(record):
            transaction.set_rollback(True)  # the other delivery recorded it
            return Received(250, "2.0.0 Already received", Outcome.REPORT)
    if authenticated and sender:
        _receipt(record, sender, outcome.report.public_id, None if user else secret)
    return Received(250, "2.0.0 Report received", Outcome.REPORT, outcome.report.public_id)


def _known_sender(sender: str, authenticated: bool) -> User | None:
    """The account whose verified address sent an authenticated mail (its report is theirs)."""
    if not authenticated or not sender:
        return None
    # ``email_verified`` holds the address that was confirmed (``User.has_verified_email``).
    return User.objects.filter(
        email__iexact=sender, email_verified__iexact=sender, is_active=True
    ).first()


def _receipt(record: InboundMail, sender: str, report_id: str, secret: str | None) -> None:
    since = now() - timedelta(hours=1)
    sent = InboundMail.objects.filter(
        sender_digest=record.sender_digest, receipt_sent=True, received_at__gte=since
    ).count()
    if sent >= settings.AKRITES_MAIL_RECEIPTS_PER_HOUR:
        return
    base = settings.AKRITES_BASE_URL
    where = (
        f"Follow it with your status code on {base}{reverse('intake:status')}\n\n"
        f"Your status code (keep it; it is shown once): {secret}\n"
        if secret
        else f"Follow it in your reports: {base}{reverse('web:my-reports')}\n"
    )
    mail = OutgoingMail(
        subject=f"[Akrites] Report {report_id} received",
        body=(
            f"Your report was received as {report_id}. The SIRT reads every report.\n\n{where}"
            "\nReply to the SIRT's messages from the status page or by answering their mails.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[sender],
        headers={"Auto-Submitted": "auto-replied", "X-Akrites-Report": report_id},
    )
    try:
        send_now(mail)
    except OSError:
        logger.warning("receipt for report %s could not be sent", report_id)
        return
    InboundMail.objects.filter(pk=record.pk).update(receipt_sent=True)


def _reply(
    message: EmailMessage, token: str, sender: str, authenticated: bool, record: InboundMail
) -> Received:
    resolved = reply_token_resolve(token=token, sender=sender)
    if resolved.token is None or resolved.refusal:
        raise _Refused("forged_token" if resolved.token is None else resolved.refusal)
    if not authenticated:
        raise _Refused("unauthenticated_sender")
    row = resolved.token
    opened, _ = _open(message)
    text, files, _ = _text_and_files(opened)
    body = _strip_quote(text)
    answered = _answered(message, row.case.human_id) or (
        row.message.number if row.message else None
    )
    try:
        with transaction.atomic():
            posted: Message = message_post(
                actor=row.user,
                case=row.case,
                audience=row.audience,
                body=body,
                attachments=[NewAttachment(n, m, c) for n, m, c in files],
                via=Via.EMAIL,
                in_reply_to=answered,
                source_id=str(message.get("Message-ID", "")).strip()[:300],
            )
            record.outcome, record.case_id = Outcome.REPLY, row.case.pk
            record.message_number = posted.number
            if not _save(record):
                transaction.set_rollback(True)
                return Received(250, "2.0.0 Already received", Outcome.REPLY)
            row.used_count += 1
            row.save(update_fields=["used_count"])
    except (NotFound, PermissionDenied):
        raise _Refused("not_allowed") from None  # the user lost access since the mail
    return Received(250, "2.0.0 Reply posted", Outcome.REPLY, message_number=posted.number)


def _answered(message: EmailMessage, human_id: str) -> int | None:
    """The message number an ``In-Reply-To`` of ours names, on the same case."""
    return answered_number(str(message.get("In-Reply-To", "")), human_id)
