"""HTML error pages. They never echo the request (path, body or query) back."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, "Bad request", "The request could not be understood.")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, "Not allowed", "You may not do that.")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "Not found", "There is nothing here you can see.")


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, 500, "Server error", "Something went wrong on our side.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent after its session or CSRF cookie expired: nothing was done; say how to go
    on instead of Django's developer page (which also carries inline styles)."""
    return _page(
        request,
        403,
        "Form expired",
        "Your session ended before the form was sent, so nothing was changed. "
        "Sign in again and repeat the action.",
    )
