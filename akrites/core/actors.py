"""Actors that are not people: the operator's CLI, the worker, the demo loader."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """A platform component acting with host privileges; audited as ``system:<name>``.

    Only code running on the host (management commands, the task worker) can construct one;
    no request path does.
    """

    name: str
    is_authenticated = False
    is_active = True
    pk = None

    def get_username(self) -> str:
        return f"system:{self.name}"
