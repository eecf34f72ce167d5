"""Patch views: propose, read, review, choose, compare side by side, download the fix."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from akrites.cases.models import Case
from akrites.cases.selectors import case_get
from akrites.core.errors import NotFound
from akrites.remediation import selectors, services
from akrites.remediation.export import fix_export
from akrites.remediation.models import ReviewVerdict
from akrites.remediation.views._common import act


@login_required
@require_POST
def propose(request: HttpRequest, case_id: str) -> HttpResponse:
    def do(case: Case) -> object:
        post = request.POST
        return services.patch_propose(
            actor=request.user,
            case=case,
            title=post.get("title", ""),
            diff=post.get("diff", "").replace("\r\n", "\n"),
            message=post.get("message", ""),
            ai_generated=post.get("ai_generated") == "on",
            co_developers=post.get("co_developers", ""),
        )

    return act(request, case_id, do, "Patch proposed.")


@login_required
def patch_detail(request: HttpRequest, case_id: str, patch_id: str) -> HttpResponse:
    case = case_get(viewer=request.user, human_id=case_id)
    patch = selectors.patch_get(viewer=request.user, case=case, public_id=patch_id)
    room = selectors.remediation_room(viewer=request.user, human_id=case_id)
    return render(
        request,
        "remediation/patch.html",
        {"case": case, "patch": patch, "room": room, "verdicts": ReviewVerdict.choices},
    )


@login_required
@require_POST
def review(request: HttpRequest, case_id: str, patch_id: str) -> HttpResponse:
    def do(case: Case) -> object:
        return services.patch_review(
            actor=request.user,
            case=case,
            patch_id=patch_id,
            verdict=request.POST.get("verdict", ""),
            body=request.POST.get("body", ""),
        )

    return act(request, case_id, do, "Review recorded.")


@login_required
@require_POST
def choose(request: HttpRequest, case_id: str, patch_id: str) -> HttpResponse:
    def do(case: Case) -> object:
        reason = request.POST.get("reason", "")
        return services.patch_choose(
            actor=request.user, case=case, patch_id=patch_id, reason=reason
        )

    return act(request, case_id, do, "Canonical fix chosen.")


@login_required
def compare(request: HttpRequest, case_id: str) -> HttpResponse:
    """Two (or more) competing proposals side by side: ``?p=PAT-…&p=PAT-…``."""
    case = case_get(viewer=request.user, human_id=case_id)
    ids = request.GET.getlist("p")[:3]
    patches = [selectors.patch_get(viewer=request.user, case=case, public_id=i) for i in ids]
    if not patches:
        patches = selectors.patch_list(viewer=request.user, case=case)[:3]
    if not patches:
        raise NotFound()
    return render(request, "remediation/compare.html", {"case": case, "patches": patches})


def _download(request: HttpRequest, case_id: str, kind: str) -> HttpResponse:
    case = case_get(viewer=request.user, human_id=case_id)
    export = fix_export(viewer=request.user, case=case)
    body = export.mbox if kind == "mbox" else export.patch
    media = "application/mbox" if kind == "mbox" else "text/x-diff"
    response = HttpResponse(body, content_type=f"{media}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.basename}.{kind}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def fix_mbox(request: HttpRequest, case_id: str) -> HttpResponse:
    return _download(request, case_id, "mbox")


@login_required
def fix_patch(request: HttpRequest, case_id: str) -> HttpResponse:
    return _download(request, case_id, "patch")
