"""Extension points: how a lower layer asks a higher one, without importing it.

The apps stack (docs/ARCHITECTURE.md, enforced by ``tests/test_layers.py``): a lower app never
imports a higher one. When a lower layer needs a higher one's answer or action — cases telling
the notifications outbox of a transition, intake asking the maintainers' terms whether a report
is in scope — the lower layer declares a ``Hook`` with the exact signature it calls, and the
higher app provides it in its ``AppConfig.ready()``. The call is explicit and synchronous (in
the caller's transaction), unlike a signal: one provider, typed, and calling a hook nobody
provides is an error, never a silent no-op.

    @hook
    def notify(kind: str, *, case_id: int | None, actor: Actor) -> None:
        '''Record an event for the notifications outbox (provided by akrites.notifications).'''

    notify.provide(notifications.services.notify)   # in NotificationsConfig.ready()
    notify("case.accept", case_id=case.pk, actor=actor)   # anywhere below
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class HookMissing(RuntimeError):
    """A hook was called but no app provides it (an app is missing from INSTALLED_APPS)."""


class Hook(Generic[P, R]):
    """One extension point with one provider."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc
        self._impl: Callable[P, R] | None = None

    def provide(self, impl: Callable[P, R]) -> Callable[P, R]:
        """Install the provider (once; the same provider again is a no-op)."""
        if self._impl is not None and self._impl is not impl:
            raise RuntimeError(f"{self.name} is already provided by {self._impl!r}")
        self._impl = impl
        return impl

    @property
    def provided(self) -> bool:
        return self._impl is not None

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._impl is None:
            raise HookMissing(f"nothing provides {self.name}")
        return self._impl(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<hook {self.name}>"


def hook(signature: Callable[P, R]) -> Hook[P, R]:
    """Declare a hook with ``signature``'s parameters and result (its body is never run)."""
    return Hook(f"{signature.__module__}.{signature.__qualname__}", signature.__doc__ or "")
