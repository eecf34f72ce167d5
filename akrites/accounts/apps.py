from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "akrites.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # Django keeps session data across a sign-in on the same session; the timeouts must
        # count from this sign-in, not an earlier one.
        user_logged_in.connect(_start_session_clock, dispatch_uid="akrites-session-clock")


def _start_session_clock(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from akrites.accounts.middleware import restart_session_clock

    if request is not None and hasattr(request, "session"):
        restart_session_clock(request)
