"""The download of a case attachment: one response for the HTML page and the API.

The bytes are reporter input, so they go out as an opaque attachment that no browser renders
or sniffs, named by id (the file name is reporter input too and never goes into a header),
and never cached. ``attachment_get`` decides who may read it (NotFound otherwise, the same as
for a missing one) and audits each read.
"""

from __future__ import annotations

from django.http import HttpResponse

from akrites.confidentiality.selectors import attachment_get
from akrites.core.actors import Actor


def attachment_response(*, viewer: Actor, human_id: str, attachment_id: int) -> HttpResponse:
    att = attachment_get(viewer=viewer, human_id=human_id, attachment_id=attachment_id)
    response = HttpResponse(bytes(att.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="attachment-{att.pk}.bin"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
