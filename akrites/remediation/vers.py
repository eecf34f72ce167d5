"""Validating ``vers`` version ranges with univers (untyped: one typed alias here)."""

from __future__ import annotations

from collections.abc import Callable

from univers.version_range import VersionRange

from akrites.core.errors import InvalidInput

_from_string: Callable[..., object] = VersionRange.from_string


def canonical_vers(value: str, *, field: str) -> str:
    """The canonical form of the ``vers`` range ``value``; InvalidInput(field) if invalid."""
    try:
        return str(_from_string(value.strip()))
    except Exception as exc:  # univers raises many exception types for bad input
        raise InvalidInput(field, f"not a valid vers range: {exc}") from None
