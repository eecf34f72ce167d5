"""E-mail: compose a delivery's message and send it through Django's mail framework.

What a mail may say depends on whether it can be encrypted to the recipient:

* with a usable OpenPGP key on the recipient's preferences, the body is an inline
  ASCII-armoured message (readable by every OpenPGP mail client) carrying the details —
  case title, what happened, the new status;
* otherwise a short notice: the case id and a link, nothing else. If the recipient has a key
  that gpg refused (expired, revoked), the notice says so and the delivery is flagged.

Subjects and headers are never encrypted, so they carry only the case id.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from akrites.cases.models import Case
from akrites.conversation.models import Message
from akrites.conversation.replies import message_id_for, reply_address_issue
from akrites.core.mail import send_now
from akrites.notifications import rules
from akrites.notifications.models import Delivery, Encryption, Event, Preference
from akrites.notifications.openpgp import recipient_keyring

_FOOTER = (
    "\n-- \nAkrites sends details only encrypted to your OpenPGP key; add one at\n"
    "{base}/notifications/preferences/\n"
)
_KEY_PROBLEM = (
    "\nYour OpenPGP key could not be used (expired, revoked or invalid), so this notice\n"
    "carries no details. Please upload a current key.\n"
)


def case_url(case: Case) -> str:
    return f"{settings.AKRITES_BASE_URL}/cases/{case.human_id}/"


def _subject(delivery: Delivery, cases: list[Case]) -> str:
    if delivery.kind == "digest":
        return f"[Akrites] Digest: {delivery.items} updates"
    if cases:
        return f"[Akrites] Update on {cases[0].human_id}"
    return "[Akrites] Platform notice"


def _notice(delivery: Delivery, cases: list[Case]) -> str:
    base = settings.AKRITES_BASE_URL
    if delivery.kind == "digest":
        lines = [f"{delivery.items} updates since your last digest. Sign in to read them:", ""]
        lines += [f"  {c.human_id}  {case_url(c)}" for c in cases]
        if not cases:
            lines.append(f"  {base}/notifications/deliveries/?status=failed")
        return "\n".join(lines) + "\n"
    if cases and delivery.kind in rules.ADDRESSED:
        # Told under embargo, not yet accepted: the case room is a 404 until the terms are.
        return (
            f"You have been told of case {cases[0].human_id} under embargo.\n\n"
            f"Sign in to read and accept its terms: {case_url(cases[0])}terms/\n"
        )
    if cases:
        return (
            f"There is an update on case {cases[0].human_id}.\n\n"
            f"Sign in to read it: {case_url(cases[0])}\n"
        )
    return f"A platform notice is waiting for you: {base}/notifications/deliveries/\n"


def _details(delivery: Delivery, cases: list[Case], events: list[Event]) -> str:
    """The full text, only ever sent encrypted."""
    lines = []
    by_case = {c.pk: c for c in cases}
    for event in events:
        case = by_case.get(event.case_id or 0)
        if case is None:
            lines.append(f"- {event.kind} ({event.created_at:%Y-%m-%d %H:%M} UTC)")
            continue
        lines += [
            f"- {case.human_id}: {case.title}",
            f"  project {case.project.name}; {event.kind}; status now {case.status}",
            f"  {case_url(case)}",
        ]
    return "\n".join(lines) + "\n"


def _case_message(delivery: Delivery, cases: list[Case], events: list[Event]) -> Message | None:
    """The case message a ``message.*`` delivery is about (None for every other kind)."""
    if not delivery.kind.startswith("message.") or not cases or not events:
        return None
    number = events[0].data.get("message")
    if not isinstance(number, int):
        return None
    return Message.objects.filter(case=cases[0], number=number).first()


def _about_message(message: Message, address: str | None) -> str:
    how = "reply to this mail (your reply goes to the same audience), or " if address else ""
    return (
        f"Message #{message.number} on case {message.case.human_id}, "
        f"to: {message.get_audience_display()}.\n\n"
        f"To answer, {how}open {settings.AKRITES_BASE_URL}"
        f"/cases/{message.case.human_id}/conversation/#m-{message.number}\n"
    )


def _details_for(delivery: Delivery, cases: list[Case], events: list[Event]) -> str:
    # Someone told under embargo has not accepted the terms yet: not even the title, encrypted.
    if delivery.kind in rules.ADDRESSED:
        return ""
    return "\n" + _details(delivery, cases, events)


def build_message(delivery: Delivery, cases: list[Case], events: list[Event]) -> EmailMessage:
    """The message for ``delivery``; sets ``delivery.encryption`` to what was done.

    A mail about a case message carries a reply address of its own (``security+<token>@``,
    bound to this recipient, case and audience) and a Message-ID a reply names; its text goes
    only into the encrypted part.
    """
    user = delivery.user
    assert user is not None
    pref = Preference.objects.filter(user=user).first()
    footer = _FOOTER.format(base=settings.AKRITES_BASE_URL)
    body = _notice(delivery, cases)
    details = _details_for(delivery, cases, events)
    headers = {"Auto-Submitted": "auto-generated", "X-Akrites-Delivery": str(delivery.pk)}
    about = _case_message(delivery, cases, events)
    if about is not None:
        reply_to = reply_address_issue(
            user_id=user.pk, address=user.email, case=cases[0], message=about
        )
        headers["Reply-To"] = reply_to
        headers["Message-ID"] = message_id_for(cases[0].human_id, about.number)
        body = _about_message(about, reply_to)
        details = f"\nFrom {about.author_label}:\n\n{about.body}\n"
    delivery.encryption = Encryption.NONE
    if pref is not None and pref.openpgp_fingerprint:
        armored = recipient_keyring().encrypt(
            armored_key=pref.openpgp_key,
            fingerprint=pref.openpgp_fingerprint,
            text=body + details,
        )
        if armored is None:
            delivery.encryption = Encryption.FALLBACK
            body += _KEY_PROBLEM
        else:
            delivery.encryption = Encryption.OPENPGP
            body = armored
    return EmailMessage(
        subject=_subject(delivery, cases),
        body=body + ("" if delivery.encryption == Encryption.OPENPGP else footer),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=headers,
    )


def contact_notice(delivery: Delivery) -> EmailMessage:
    """The mail to an anonymous reporter's contact address: that a message awaits them, and
    where to read it with their status code. No case id, no text, no reply address (there is
    no account to post as: they answer on the status page)."""
    report = delivery.recipient_label.removeprefix("reporter of ")
    delivery.encryption = Encryption.NONE
    return EmailMessage(
        subject=f"[Akrites] A message about your report {report}",
        body=(
            f"The people handling your report {report} have written to you.\n\n"
            f"Read it and answer on {settings.AKRITES_BASE_URL}/report/status/ with the status "
            "code you were given when you reported (it was shown once, or mailed in the "
            "receipt).\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        headers={"Auto-Submitted": "auto-generated", "X-Akrites-Delivery": str(delivery.pk)},
    )


def send(message: EmailMessage) -> None:
    """Send one message; raises whatever the backend raises (the caller classifies it)."""
    send_now(message)
