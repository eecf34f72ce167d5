"""The conversation pages: a case's thread with its reply form, editing, attachments.

The case room embeds the same thread (``templates/conversation/_thread.html``) and posts
here; a refused or invalid post answers with the page again and the message next to its
field, never with the text in a URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from akrites.cases.reads import record_read
from akrites.cases.selectors import case_get
from akrites.conversation import selectors, services
from akrites.conversation.downloads import download
from akrites.conversation.models import Via
from akrites.core.errors import Conflict, InvalidInput


def uploads(request: HttpRequest) -> list[services.NewAttachment]:
    return [
        services.NewAttachment(name=f.name or "", media_type=f.content_type or "", content=f.read())
        for f in request.FILES.getlist("files")
    ]


def _page(request: HttpRequest, case_id: str, error: tuple[str, str] | None = None) -> HttpResponse:
    case = case_get(viewer=request.user, human_id=case_id)
    thread = selectors.thread(viewer=request.user, case=case)
    services.mark_read(actor=request.user, case=case, upto=thread.last_number)
    context = {"case": case, "thread": thread, "error": error, "form": request.POST}
    return render(request, "conversation/page.html", context, status=200 if error is None else 422)


@login_required
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, case_id: str) -> HttpResponse:
    if request.method == "GET":
        return _page(request, case_id)
    case = case_get(viewer=request.user, human_id=case_id)
    reply_to = request.POST.get("in_reply_to", "").strip()
    try:
        message = services.message_post(
            actor=request.user,
            case=case,
            audience=request.POST.get("audience", ""),
            body=request.POST.get("body", ""),
            attachments=uploads(request),
            via=Via.WEB,
            in_reply_to=int(reply_to) if reply_to.isdigit() else None,
        )
    except (InvalidInput, Conflict) as exc:
        field = getattr(exc, "field", "") or "body"
        return _page(request, case_id, (field, exc.message))
    messages.success(
        request, f"Message {message.number} posted to: {message.get_audience_display()}."
    )
    back = "web:case-detail" if request.POST.get("from") == "room" else "conversation:thread"
    return redirect(f"{reverse(back, args=[case.human_id])}#m-{message.number}")


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, case_id: str, number: int) -> HttpResponse:
    case = case_get(viewer=request.user, human_id=case_id)
    message = selectors.message_get(viewer=request.user, case=case, number=number)
    error = None
    if request.method == "POST":
        try:
            services.message_edit(
                actor=request.user, message=message, body=request.POST.get("body", "")
            )
        except InvalidInput as exc:
            error = ("body", exc.message)
        else:
            messages.success(request, f"Message {number} edited; the earlier text is kept.")
            return redirect(f"{reverse('conversation:thread', args=[case.human_id])}#m-{number}")
    record_read(viewer=request.user, case=case, what="messages", ref=str(number))
    return render(
        request,
        "conversation/edit.html",
        {"case": case, "message": message, "error": error, "versions": message.versions.all()},
        status=200 if error is None else 422,
    )


@login_required
@require_GET
def attachment(request: HttpRequest, case_id: str, attachment_id: int) -> HttpResponse:
    case = case_get(viewer=request.user, human_id=case_id)
    item = selectors.attachment_get(viewer=request.user, case=case, attachment_id=attachment_id)
    return download(item)
