"""The maintainers' terms of one project: read and edit (maintainers and the SIRT)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from akrites.core.errors import Conflict, InvalidInput
from akrites.remediation import selectors, services
from akrites.remediation.models import ProjectStatus, RuleKind
from akrites.remediation.views._common import form_date


def _channels(text: str) -> list[dict[str, str]]:
    """One channel per line: ``kind address`` (``platform`` needs no address)."""
    rows = []
    for line in text.splitlines():
        if line.strip():
            kind, _, address = line.strip().partition(" ")
            rows.append({"kind": kind, "address": address.strip()})
    return rows


def _rules(text: str) -> list[services.RuleIn]:
    """One rule per line: ``kind | pattern | reason``."""
    rules = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|", 2)]
        if len(parts) != 3:
            raise InvalidInput("rules", f"line {number}: write kind | pattern | reason")
        rules.append(services.RuleIn(*parts))
    return rules


@login_required
def terms(request: HttpRequest, project_slug: str) -> HttpResponse:
    view = selectors.terms_view(viewer=request.user, project_slug=project_slug)
    if request.method == "POST":
        post = request.POST
        try:
            days = post.get("embargo_max_days", "").strip()
            services.terms_update(
                actor=request.user,
                project=view.project,
                contact_channels=_channels(post.get("contact_channels", "")),
                embargo_max_days=int(days) if days.isdigit() else None,
                accepts_patches=post.get("accepts_patches") == "on",
                accepts_ai_patches=post.get("accepts_ai_patches") == "on",
                supported_versions=post.get("supported_versions", ""),
                repository=post.get("repository", ""),
                last_release_on=form_date(post.get("last_release_on", ""), "last_release_on"),
                rules=_rules(post.get("rules", "")),
            )
        except (Conflict, InvalidInput) as exc:
            messages.error(request, f"{getattr(exc, 'field', '')}: {exc.message}")
        else:
            messages.success(request, "Terms saved.")
        return redirect("remediation:terms", project_slug=view.project.slug)
    return render(
        request,
        "remediation/terms.html",
        {"view": view, "rule_kinds": RuleKind.choices, "statuses": ProjectStatus.choices},
    )


@login_required
@require_POST
def mark_status(request: HttpRequest, project_slug: str) -> HttpResponse:
    view = selectors.terms_view(viewer=request.user, project_slug=project_slug)
    try:
        services.project_mark_status(
            actor=request.user,
            project=view.project,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
        )
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Project status saved.")
    return redirect("remediation:terms", project_slug=view.project.slug)
