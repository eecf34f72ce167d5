"""A message attachment as an HTTP download, for the page and the API alike."""

from __future__ import annotations

from django.http import HttpResponse

from akrites.conversation.models import MessageAttachment


def download(item: MessageAttachment) -> HttpResponse:
    """An attachment as a download: never rendered inline, whatever its claimed type; the
    (embargoed) file name stays out of the headers, which proxies log."""
    response = HttpResponse(bytes(item.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="message-attachment-{item.pk}.bin"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
