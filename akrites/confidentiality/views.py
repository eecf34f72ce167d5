"""HTML pages for confidentiality: embargo, terms, pre-notification, attachments, SBOMs."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from akrites.access.policy import allowed
from akrites.cases.models import Case
from akrites.cases.selectors import case_get
from akrites.confidentiality import selectors, services
from akrites.confidentiality.downloads import attachment_response
from akrites.confidentiality.models import ChangeKind
from akrites.core.errors import Conflict, InvalidInput, NotFound
from akrites.orgs.models import Organisation

_EMBARGO_OPS = {"set-date", "extend", "lift", "approve", "reject", "break", "exploited"}


def _instant(value: str, field: str) -> datetime:
    """``YYYY-MM-DDTHH:MM`` from a datetime-local input, read as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(field, "a date and time, e.g. 2026-03-03T14:00 (UTC)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@login_required
def embargo_page(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_get(viewer=request.user, human_id=case_id)
    view = selectors.embargo_view(viewer=request.user, case=case)
    may = {
        a.split(".")[1]: allowed(request.user, a, case)
        for a in (
            "embargo.set_date",
            "embargo.request_extension",
            "embargo.approve_extension",
            "embargo.lift_propose",
            "embargo.mark_exploited",
            "case.break_embargo",
        )
    }
    context = {"case": case, "view": view, "may": may}
    return render(request, "access/embargo.html", context)


@login_required
@require_POST
def embargo_action(request: HttpRequest, case_id: str, op: str) -> HttpResponse:
    """One form per operation; domain errors other than 404/403 come back as messages."""
    if op not in _EMBARGO_OPS:
        raise NotFound()
    case = case_get(viewer=request.user, human_id=case_id)
    actor, post = request.user, request.POST
    try:
        if op == "set-date":
            when = _instant(post.get("ends_at", ""), "ends_at")
            weekend = post.get("allow_weekend") == "on"
            services.embargo_set_date(actor=actor, case=case, ends_at=when, allow_weekend=weekend)
        elif op == "extend":
            until = _instant(post.get("until", ""), "until")
            reason = post.get("reason", "")
            services.embargo_request_extension(actor=actor, case=case, until=until, reason=reason)
        elif op == "lift":
            services.embargo_lift_propose(actor=actor, case=case, reason=post.get("reason", ""))
        elif op in ("approve", "reject"):
            _decide(request, case_id, op == "approve")
        elif op == "exploited":
            services.embargo_mark_exploited(actor=actor, case=case)
        else:
            services.embargo_break(actor=actor, case=case, reason=post.get("reason", ""))
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)
    return redirect("access:embargo", case_id=case.human_id)


def _decide(request: HttpRequest, case_id: str, approve: bool) -> None:
    try:
        change_id = int(request.POST.get("change", ""))
    except ValueError:
        raise NotFound() from None
    change = selectors.change_get(viewer=request.user, human_id=case_id, change_id=change_id)
    if change.kind == ChangeKind.LIFT and approve:
        services.embargo_lift_approve(actor=request.user, change=change)
    else:
        services.embargo_decide_extension(actor=request.user, change=change, approve=approve)


@login_required
@require_http_methods(["GET", "POST"])
def terms_page(request: HttpRequest, case_id: str) -> HttpResponse:
    """What a pre-notified person sees before accepting: the terms and the instant only."""
    view = selectors.terms_view(viewer=request.user, human_id=case_id)
    if request.method == "POST":
        services.terms_accept(actor=request.user, case=view.case)
        return redirect("web:case-detail", case_id=view.case.human_id)
    return render(request, "access/terms.html", {"view": view})


@login_required
@require_http_methods(["GET", "POST"])
def prenotification_page(request: HttpRequest, case_id: str) -> HttpResponse:
    """Candidates and the grant form; for the maintainers also their consent that the SIRT
    lead may tell members. The SIRT lead without that consent gets 403 saying so."""
    case = case_get(viewer=request.user, human_id=case_id)
    services.require_prenotify(request.user, "prenotify.view_candidates", case)
    if request.method == "POST":
        if "consent" in request.POST:
            given = request.POST["consent"] == "give"
            services.prenotify_consent(actor=request.user, case=case, given=given)
        else:
            _grant(request, case)
        return redirect("access:prenotification", case_id=case.human_id)
    found = selectors.prenotify_candidates(viewer=request.user, case=case)
    context = {
        "case": case,
        "candidates": found,
        "consent": services.consent_get(case),
        "may_consent": allowed(request.user, "prenotify.consent", case),
    }
    return render(request, "access/prenotification.html", context)


def _grant(request: HttpRequest, case: Case) -> None:
    org = Organisation.objects.filter(slug=request.POST.get("organisation", "")).first()
    raw = request.POST.get("notify_at", "")
    try:
        if org is None:
            raise InvalidInput("organisation", "choose an organisation from the list")
        services.prenotify_grant(
            actor=request.user,
            case=case,
            organisation=org,
            notify_at=_instant(raw, "notify_at") if raw else None,
            include_report=request.POST.get("include_report") == "on",
        )
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)


@login_required
def attachment_download(request: HttpRequest, case_id: str, attachment_id: int) -> HttpResponse:
    return attachment_response(viewer=request.user, human_id=case_id, attachment_id=attachment_id)


@login_required
@require_http_methods(["GET", "POST"])
def sbom_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = Organisation.objects.filter(slug=org_slug).first()
    if org is None or not allowed(request.user, "sbom.view", org):
        raise NotFound()
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("document")
        try:
            if upload is None:
                raise InvalidInput("document", "choose a CycloneDX JSON file")
            services.sbom_register(
                actor=request.user,
                organisation=org,
                name=request.POST.get("name", "") or "sbom",
                document=upload.read(),
            )
        except InvalidInput as exc:
            messages.error(request, exc.message)
            status = 422
        else:
            return redirect("access:sboms", org_slug=org.slug)
    sboms = org.sboms.order_by("-created_at")[:50]
    return render(request, "access/sboms.html", {"org": org, "sboms": sboms}, status=status)
