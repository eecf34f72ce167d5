"""The remediation room of one case and its actions (acknowledge, dispute, dates, …)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from akrites.cases.models import Case
from akrites.remediation import selectors, services
from akrites.remediation.models import (
    DisputeOutcome,
    ReleaseChannel,
    VexJustification,
    VexStatus,
)
from akrites.remediation.views._common import act, form_date, form_instant


@login_required
def case_remediation(request: HttpRequest, case_id: str) -> HttpResponse:
    room = selectors.remediation_room(viewer=request.user, human_id=case_id)
    return render(
        request,
        "remediation/case.html",
        {
            "room": room,
            "case": room.case,
            "outcomes": DisputeOutcome.choices,
            "vex_statuses": VexStatus.choices,
            "justifications": VexJustification.choices,
            "channels": ReleaseChannel.choices,
        },
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, case_id: str) -> HttpResponse:
    def do(case: Case) -> object:
        reason = request.POST.get("reason", "")
        return services.remediation_acknowledge(actor=request.user, case=case, reason=reason)

    return act(request, case_id, do, "Acknowledged.")


@login_required
@require_POST
def dispute(request: HttpRequest, case_id: str) -> HttpResponse:
    def do(case: Case) -> object:
        return services.remediation_dispute(
            actor=request.user,
            case=case,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
        )

    return act(request, case_id, do, "Disputed.")


@login_required
@require_POST
def dates(request: HttpRequest, case_id: str) -> HttpResponse:
    def do(case: Case) -> object:
        return services.remediation_set_dates(
            actor=request.user,
            case=case,
            target_fix_on=form_date(request.POST.get("target_fix_on", ""), "target_fix_on"),
            disclosure_at=form_instant(request.POST.get("disclosure_at", ""), "disclosure_at"),
            approve_exception=request.POST.get("approve_exception") == "on",
            reason=request.POST.get("reason", ""),
        )

    return act(request, case_id, do, "Dates saved.")


@login_required
@require_POST
def invite(request: HttpRequest, case_id: str) -> HttpResponse:
    def do(case: Case) -> object:
        username = request.POST.get("username", "")
        return services.comaintainer_invite(actor=request.user, case=case, username=username)

    return act(request, case_id, do, "Co-maintainer invited.")


@login_required
@require_POST
def statement(request: HttpRequest, case_id: str) -> HttpResponse:
    def do(case: Case) -> object:
        post = request.POST
        return services.statement_set(
            actor=request.user,
            case=case,
            purl=post.get("purl", ""),
            version_range=post.get("version_range", ""),
            status=post.get("status", ""),
            justification=post.get("justification", ""),
            impact_statement=post.get("impact_statement", ""),
            action_statement=post.get("action_statement", ""),
        )

    return act(request, case_id, do, "Statement recorded.")


@login_required
@require_POST
def fix_ready(request: HttpRequest, case_id: str) -> HttpResponse:
    def do(case: Case) -> object:
        return services.fix_mark_ready(actor=request.user, case=case)

    return act(request, case_id, do, "The fix is ready.")


@login_required
@require_POST
def stewardship(request: HttpRequest, case_id: str) -> HttpResponse:
    def do(case: Case) -> object:
        reason = request.POST.get("reason", "")
        return services.stewardship_enter(actor=request.user, case=case, reason=reason)

    return act(request, case_id, do, "The SIRT is now maintainer of last resort.")


@login_required
@require_POST
def release_plan(request: HttpRequest, case_id: str) -> HttpResponse:
    def do(case: Case) -> object:
        post = request.POST
        return services.release_plan_record(
            actor=request.user,
            case=case,
            channel=post.get("channel", ""),
            version=post.get("version", ""),
            handback=post.get("handback", ""),
            fork_name=post.get("fork_name", ""),
            notes=post.get("notes", ""),
        )

    return act(request, case_id, do, "Release plan recorded.")
