"""Shared by the remediation views: run one service, map a refusal to a message, go back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from akrites.cases.models import Case
from akrites.cases.selectors import case_get
from akrites.core.errors import Conflict, InvalidInput


def act(
    request: HttpRequest, case_id: str, do: Callable[[Case], object], done: str, back: str = ""
) -> HttpResponse:
    """Resolve the case (404 for whoever may not see it), call ``do``, report, redirect."""
    case = case_get(viewer=request.user, human_id=case_id)
    try:
        do(case)
    except (Conflict, InvalidInput) as exc:
        field = getattr(exc, "field", "")
        messages.error(request, f"{field}: {exc.message}" if field else exc.message)
    else:
        messages.success(request, done)
    return redirect(back or "remediation:case", case_id=case.human_id)


def form_date(value: str, field: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(field, "a date as YYYY-MM-DD") from None


def form_instant(value: str, field: str) -> datetime | None:
    """A ``datetime-local`` value, read as UTC (the form says so)."""
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(field, "a date and time as YYYY-MM-DDTHH:MM (UTC)") from None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)
