"""The one error hierarchy of Akrites.

Every domain failure is an ``AkritesError``. Interfaces map them to HTTP in one place each
(``akrites.api.errors`` for JSON, ``akrites.web.errors`` for HTML), so callers never build
responses from exceptions themselves. Messages are safe to show to the caller: they never
carry report content, only field names and reasons.
"""

from __future__ import annotations


class AkritesError(Exception):
    """Base of every domain error."""

    code = "error"
    http_status = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.code)
        self.message = message or self.code

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message}


class NotFound(AkritesError):
    """The object does not exist *or* the actor may not know it exists (same answer)."""

    code = "not_found"
    http_status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class PermissionDenied(AkritesError):
    """The actor can see the object but may not perform this action on it."""

    code = "permission_denied"
    http_status = 403

    def __init__(self, message: str = "You may not do that.") -> None:
        super().__init__(message)


class Conflict(AkritesError):
    """The request is valid but contradicts the current state (illegal transition, duplicate)."""

    code = "conflict"
    http_status = 409


class InvalidInput(AkritesError):
    """One input field is invalid. Validation is all-or-nothing: nothing was stored."""

    code = "invalid_input"
    http_status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "field": self.field}


class TooLarge(InvalidInput):
    """A body or attachment exceeds its configured size limit."""

    code = "too_large"
    http_status = 413


class RateLimited(AkritesError):
    """The caller exceeded a quota; ``retry_after`` is in whole seconds."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, retry_after: int, message: str = "Too many requests.") -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "retry_after": self.retry_after}


class Unauthenticated(AkritesError):
    """No valid credentials were presented."""

    code = "unauthenticated"
    http_status = 401

    def __init__(self, message: str = "Authentication required.") -> None:
        super().__init__(message)
