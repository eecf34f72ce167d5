"""Sending one mail now, through the configured backend (the SMTP relay in production).

The one place that opens a connection: notifications' deliveries, the address confirmation
link and the e-mail channel's receipts all send through ``send_now``. It raises whatever the
backend raises; each caller decides what a failure means for it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection


def send_now(message: EmailMessage) -> None:
    with get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT) as connection:
        message.connection = connection
        message.send(fail_silently=False)
