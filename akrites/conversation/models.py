"""Messages of a case conversation, their earlier versions, attachments and read marks.

Messages are embargoed content: the body, attachment names and bytes are encrypted at rest
(``core.fields``), and every read of a thread is audited (``cases.reads``). A message is
never deleted; an edit keeps the text it replaced as a ``MessageVersion``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from akrites.cases.models import Case
from akrites.conversation.audiences import Audience
from akrites.core.fields import EncryptedBytesField, EncryptedTextField
from akrites.core.models import TimestampedModel


class Via(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    EMAIL = "email", "E-mail"
    LINK = "link", "Status link"


class Message(TimestampedModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages")
    # The n-th message of its case, from 1: what pages, mails and the API call it.
    number = models.PositiveIntegerField()
    audience = models.CharField(max_length=20, choices=Audience.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Who wrote it as shown: a username, or ``link:<report id>`` for an anonymous reporter.
    author_label = models.CharField(max_length=200)
    body = EncryptedTextField()
    version = models.PositiveIntegerField(default=1)
    edited_at = models.DateTimeField(null=True, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.WEB)
    in_reply_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    # The Message-ID of the mail this message came from: the same mail delivered twice makes
    # one message (unique per case).
    source_id = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="message_case_number"),
            models.UniqueConstraint(
                fields=["case", "source_id"],
                condition=~models.Q(source_id=""),
                name="message_case_source",
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.number} of case {self.case_id}"


class MessageVersion(models.Model):
    """The text a message had before an edit (version ``version``)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    body = EncryptedTextField()
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["message", "version"]
        constraints = [
            models.UniqueConstraint(fields=["message", "version"], name="message_version_unique")
        ]

    def __str__(self) -> str:
        return f"version {self.version} of {self.message_id}"


class MessageAttachment(TimestampedModel):
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    name = EncryptedTextField()
    media_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = EncryptedBytesField()

    def __str__(self) -> str:
        return f"attachment {self.pk} of message {self.message_id}"


class ReadMark(models.Model):
    """How far a user has read a case's conversation (the highest message number seen)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="readmark_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} read case {self.case_id} to {self.last_number}"


class ReplyToken(models.Model):
    """A per-recipient reply address (``case+<token>@…``): a mail about a message carries
    one, and a reply to it is posted as that user, to that audience, on that case.

    Only a keyed digest of the token is stored. It is refused once expired or revoked, when
    the reply does not come from the address it was sent to, and whenever the policy no
    longer lets its user post to its audience (checked at every reply).
    """

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    # The message the mail was about: a reply answers it.
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, related_name="+")
    # The address the mail went to; a reply must come from it (compared case-insensitively).
    address = models.EmailField(max_length=254)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    used_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"reply token {self.pk} for {self.user_id} on case {self.case_id}"
