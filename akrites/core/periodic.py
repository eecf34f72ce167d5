"""The registry of periodic jobs the worker's scheduler runs (clocks, ladder, publication…).

Apps register their jobs in ``AppConfig.ready()``::

    from akrites.core.periodic import register
    register("disclosure.publish_due", every=timedelta(minutes=1),
             task="akrites.disclosure.tasks.publish_due")

``task`` is the dotted path of a ``django_tasks`` task (a shim that takes no arguments and
calls one service). The scheduler (``akrites worker``) enqueues each job when it is due; jobs
must be idempotent, since a job may run twice around a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    task: str


_REGISTRY: dict[str, PeriodicJob] = {}


def register(name: str, *, every: timedelta, task: str) -> None:
    """Register (or re-register, idempotently) a periodic job."""
    if every <= timedelta(0):
        raise ValueError("a periodic job needs a positive interval")
    existing = _REGISTRY.get(name)
    if existing is not None and existing != PeriodicJob(name, every, task):
        raise ValueError(f"periodic job {name!r} registered twice with different settings")
    _REGISTRY[name] = PeriodicJob(name, every, task)


def jobs() -> list[PeriodicJob]:
    return sorted(_REGISTRY.values(), key=lambda j: j.name)
