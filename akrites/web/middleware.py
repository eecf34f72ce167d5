"""Map domain errors raised in HTML views to the HTML error pages (one handler)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from akrites.core.errors import AkritesError
from akrites.web.views.errors import _page


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, AkritesError):
            return None
        titles = {404: "Not found", 403: "Not allowed", 401: "Sign in", 409: "Conflict"}
        message = exc.message if exc.http_status != 404 else "There is nothing here you can see."
        return _page(request, exc.http_status, titles.get(exc.http_status, "Error"), message)
