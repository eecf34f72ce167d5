"""The database side of a transition table: a model's state field changes only inside it.

A model with a state field mixes in ``StateGuarded`` and names its field, its machine and
the machine's initial state. Then, outside ``transitioning(machine)`` — entered only by the
one service that applies the machine's table — saving a changed state, saving a new row in
another state than the initial one, or ``update``/``bulk_update`` of the field raise
``StateWriteOutsideTable``. The whole test suite runs with the guard, so a service that
changes a state behind its table fails there; data migrations use historical models and are
not guarded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar, TypeVar

from django.db import models

_UNKNOWN = object()
_open: ContextVar[frozenset[str]] = ContextVar("akrites_state_tables", default=frozenset())


class StateWriteOutsideTable(RuntimeError):
    """A state field was written by something other than its transition service."""


@contextmanager
def transitioning(machine: str) -> Iterator[None]:
    """Inside: the transition service of ``machine`` may write its objects' state."""
    token = _open.set(_open.get() | {machine})
    try:
        yield
    finally:
        _open.reset(token)


def _refuse(model: type[models.Model], how: str) -> None:
    field = getattr(model, "STATE_FIELD", "?")
    raise StateWriteOutsideTable(
        f"{model.__name__}.{field} written by {how} outside its transition table "
        f"({getattr(model, 'STATE_MACHINE', '?')})"
    )


def _is_open(model: type[models.Model]) -> bool:
    return getattr(model, "STATE_MACHINE", "") in _open.get()


_M = TypeVar("_M", bound="StateGuarded")


class StateGuardedQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        if self.model.STATE_FIELD in kwargs and not _is_open(self.model):
            _refuse(self.model, "update()")
        return super().update(**kwargs)

    def bulk_update(
        self, objs: Iterable[_M], fields: Iterable[str], *args: Any, **kwargs: Any
    ) -> int:
        fields = list(fields)
        if self.model.STATE_FIELD in fields and not _is_open(self.model):
            _refuse(self.model, "bulk_update()")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def bulk_create(self, objs: Iterable[_M], *args: Any, **kwargs: Any) -> list[_M]:
        objs = list(objs)
        field, initial = self.model.STATE_FIELD, self.model.STATE_INITIAL
        if not _is_open(self.model) and any(getattr(o, field) != initial for o in objs):
            _refuse(self.model, "bulk_create() in another state than the initial one")
        return super().bulk_create(objs, *args, **kwargs)


StateGuardedManager = models.Manager.from_queryset(StateGuardedQuerySet)


class StateGuarded(models.Model):
    """Mixin for a model whose ``STATE_FIELD`` follows the machine ``STATE_MACHINE``."""

    STATE_FIELD: ClassVar[str]
    STATE_MACHINE: ClassVar[str]
    STATE_INITIAL: ClassVar[str]

    class Meta:
        abstract = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The state as built or loaded (``from_db`` builds through here too); absent when
        # the field was deferred.
        self._loaded_state = self.__dict__.get(self.STATE_FIELD, _UNKNOWN)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not _is_open(type(self)):
            self._check_state_write(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        self._loaded_state = getattr(self, self.STATE_FIELD)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._loaded_state = self.__dict__.get(self.STATE_FIELD, _UNKNOWN)

    def _check_state_write(self, update_fields: Iterable[str] | None) -> None:
        value = getattr(self, self.STATE_FIELD)
        if self._state.adding:
            if value != self.STATE_INITIAL:
                _refuse(type(self), f"creating a row in state {value!r}")
            return
        if update_fields is not None and self.STATE_FIELD not in update_fields:
            return
        loaded = self._loaded_state
        if loaded is _UNKNOWN:
            manager = type(self)._base_manager
            loaded = manager.filter(pk=self.pk).values_list(self.STATE_FIELD, flat=True).first()
        if value != loaded:
            _refuse(type(self), "save()")
