"""HTML intake: the report form (preview, submit, receipt), status pages, security.txt."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from akrites.conversation.audiences import Audience
from akrites.conversation.models import Via
from akrites.conversation.selectors import thread
from akrites.conversation.services import message_post
from akrites.core.actors import ReportLink
from akrites.core.clock import now
from akrites.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RateLimited
from akrites.intake import selectors
from akrites.intake.forms import ReportForm, form_field_for
from akrites.intake.keys import platform_keyring
from akrites.intake.models import Channel, Report
from akrites.intake.ratelimit import rate_take
from akrites.intake.securitytxt import render_security_txt
from akrites.intake.services.record import Submission
from akrites.intake.services.submit import parse_document, submit_document

logger = logging.getLogger(__name__)
_SESSION_DONE = "akrites_submitted"
LINK_REPLIES_PER_WINDOW = 20


def _client_bucket(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"anon:{request.META.get('REMOTE_ADDR', '?')}"


@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST action=preview: validate and show. POST action=submit: record."""
    form = ReportForm(request.POST or None, initial={"nonce": secrets.token_urlsafe(16)})
    if request.method == "GET" or not form.is_valid():
        return render(request, "intake/report_form.html", {"form": form})
    anonymous = not request.user.is_authenticated
    if anonymous and not form.cleaned_data.get("contact"):
        form.add_error("contact", "Leave a contact address, or sign in.")
        return render(request, "intake/report_form.html", {"form": form})
    nonce = form.cleaned_data.get("nonce") or ""
    done: dict[str, str] = request.session.get(_SESSION_DONE, {})
    if nonce in done:  # a double submit or a back-button replay: same receipt, no new report
        return redirect("intake:receipt", report_id=done[nonce])
    try:
        reports, _ = parse_document(
            form.document(), content_type=None, declared_format=None, default_purl=None
        )
        if request.POST.get("action") != "submit":
            return render(request, "intake/report_preview.html", {"form": form, "reports": reports})
        secret = secrets.token_urlsafe(24)
        outcome = submit_document(
            actor=request.user,
            body=form.document(),
            content_type=None,
            channel=Channel.WEB,
            extra=_submission(form.cleaned_data, reports[0], secret),
            charge=lambda cost: rate_take(
                buckets={
                    _client_bucket(request): _limit(anonymous),
                    "*": settings.AKRITES_RATE_GLOBAL,
                },
                cost=cost,
            ),
        )[0]
    except InvalidInput as exc:
        form.add_error(form_field_for(exc.field), exc.message)
        return render(request, "intake/report_form.html", {"form": form})
    done[nonce] = outcome.report.public_id
    request.session[_SESSION_DONE] = done
    request.session["akrites_status_secret"] = secret
    return redirect("intake:receipt", report_id=outcome.report.public_id)


def _limit(anonymous: bool) -> int:
    return settings.AKRITES_RATE_ANONYMOUS if anonymous else settings.AKRITES_RATE_PER_IDENTITY


def _submission(data: dict[str, Any], parsed: Any, secret: str) -> Submission:
    return Submission(
        parsed=parsed,
        contact=str(data.get("contact") or ""),
        credit_name=str(data.get("credit_name") or ""),
        credit_anonymous=data.get("credit") == "anonymous",
        status_digest=selectors.status_digest(secret),
    )


def receipt(request: HttpRequest, report_id: str) -> HttpResponse:
    """Shown once after submitting; the status link's secret is read from the session once."""
    done: dict[str, str] = request.session.get(_SESSION_DONE, {})
    if report_id not in done.values():
        raise NotFound()
    secret = request.session.pop("akrites_status_secret", None)
    # The code travels in the fragment, which browsers never send: it stays out of access
    # logs, proxies and Referer headers. The status page reads it (progressive enhancement)
    # or the reporter pastes it.
    status_url = (
        f"{request.build_absolute_uri(reverse('intake:status'))}#{secret}" if secret else None
    )
    return render(
        request,
        "intake/receipt.html",
        {"report_id": report_id, "status_url": status_url, "code": secret},
    )


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """An anonymous reporter's view of their report; the status code is the credential and
    is only ever accepted in a POST body (never in a URL)."""
    error, template, context = "", "intake/status_form.html", {}
    if request.method == "POST":
        try:
            report = selectors.report_by_status_secret(secret=request.POST.get("code", "").strip())
        except NotFound:
            error = "No report has this status code. Check that you copied all of it."
        else:
            template, context = "intake/status.html", _status_context(request, report)
    answered = 422 if context.get("reply_error") else 200
    response = render(
        request, template, {**context, "error": error}, status=404 if error else answered
    )
    response["Cache-Control"] = "private, no-store"
    # Not "no-referrer": browsers then send "Origin: null" with the form, failing the CSRF
    # origin check. No URL here carries the code, so same-origin is enough.
    response["Referrer-Policy"] = "same-origin"
    return response


def _status_context(request: HttpRequest, report: Report) -> dict[str, Any]:
    """The report, its case's conversation as its reporter may read it, and a reply posted
    with this request (the status code in the form is the reporter's only credential)."""
    code = request.POST.get("code", "").strip()
    # Every name the templates read is set: a missing one makes Django's debug log dump the
    # whole context (embargoed text) while resolving it.
    context: dict[str, Any] = {
        "report": report,
        "hidden_code": {"code": code},
        "thread": None,
        "posted": None,
        "reply_error": None,
        "form": {},
    }
    if report.case is None:
        return context
    link = ReportLink(report_id=report.public_id, case_id=report.case_id)
    if "body" in request.POST:
        try:
            # A status link is a bearer secret: its holder may answer, not flood the case.
            rate_take(buckets={f"link-reply:{report.public_id}": LINK_REPLIES_PER_WINDOW})
            message = message_post(
                actor=link,
                case=report.case,
                audience=request.POST.get("audience", Audience.PARTIES),
                body=request.POST.get("body", ""),
                via=Via.LINK,
            )
        except (InvalidInput, Conflict, PermissionDenied, RateLimited) as exc:
            context["reply_error"] = (getattr(exc, "field", "") or "body", exc.message)
            context["form"] = request.POST
        except NotFound:  # an audience the reporter is not part of
            context["reply_error"] = ("audience", "Choose one of the audiences offered.")
            context["form"] = request.POST
        else:
            context["posted"] = message.number
    context["thread"] = thread(viewer=link, case=report.case)
    return context


@login_required
def my_report(request: HttpRequest, report_id: str) -> HttpResponse:
    report = selectors.report_get(viewer=request.user, public_id=report_id)
    return render(request, "intake/my_report.html", {"report": report})


def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116 requires https URIs: without an https AKRITES_BASE_URL there is no file."""
    base = settings.AKRITES_BASE_URL
    if not base.startswith("https://"):
        logger.warning("security.txt not served: AKRITES_BASE_URL is not https")
        raise NotFound()
    text = render_security_txt(
        contact=[
            f"{base}{reverse('intake:report-form')}",
            f"mailto:{settings.AKRITES_SECURITY_EMAIL}",
        ],
        expires=now().replace(microsecond=0) + timedelta(days=180),
        encryption_url=f"{base}{reverse('intake:pgp-key')}",
        policy_url=f"{base}{reverse('intake:policy')}",
        acknowledgments_url=None,
        preferred_languages=["en"],
        canonical=[f"{base}/.well-known/security.txt"],
        csaf_urls=[f"{base}/.well-known/csaf/provider-metadata.json"],
    )
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def pgp_key(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        platform_keyring().public_key_armored(), content_type="application/pgp-keys"
    )


def policy(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/policy.html", {"email": settings.AKRITES_SECURITY_EMAIL})
