"""Loading untrusted JSON and reading it with typed, path-aware accessors.

Every accessor takes the JSON-pointer-like ``path`` of the value it reads (``runs[0].tool``) so
that an ``InvalidInput`` names exactly the field at fault. Messages say what is wrong, never
what the value was: a rejected value may be an embargoed detail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import NoReturn

from akrites.core.errors import InvalidInput

# Deeper than any real report or SARIF log; keeps the post-parse walk and our readers bounded.
MAX_JSON_DEPTH = 64


def join(path: str, key: str) -> str:
    """``join("package", "purl") == "package.purl"``; the root path is ``""``."""
    return f"{path}.{key}" if path else key


def index(path: str, i: int) -> str:
    return f"{path}[{i}]"


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # Two parsers reading the same document differently (first vs last duplicate wins) is a
    # classic way to smuggle a value past review, so an ambiguous object is refused.
    obj: dict[str, object] = {}
    for key, value in pairs:
        if key in obj:
            raise InvalidInput("body", "JSON object has a duplicate key")
        obj[key] = value
    return obj


def _reject_constant(_name: str) -> NoReturn:
    raise InvalidInput("body", "NaN and Infinity are not JSON")


def load_json(text: str) -> object:
    """Parse ``text`` as strict JSON.

    Raises ``InvalidInput("body", ...)`` for malformed JSON (with line and column), duplicate
    keys, NaN/Infinity, nesting deeper than ``MAX_JSON_DEPTH``, NUL characters or lone
    surrogates in strings (PostgreSQL and UTF-8 cannot store them), and integers too long to
    convert.
    """
    try:
        value: object = json.loads(
            text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "body", f"malformed JSON at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InvalidInput("body", "JSON is nested too deeply") from None
    except ValueError:
        # int() refuses more than sys.get_int_max_str_digits() digits.
        raise InvalidInput("body", "JSON number is too long") from None
    _check_tree(value)
    return value


def _check_tree(root: object) -> None:
    # Iterative, so a hostile document cannot exhaust the interpreter stack here either.
    stack: list[tuple[object, int]] = [(root, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidInput("body", "JSON is nested too deeply")
        if isinstance(value, str):
            _check_string(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_string(key)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _check_string(value: str) -> None:
    if "\x00" in value:
        raise InvalidInput("body", "JSON string contains a NUL character")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput("body", "JSON string contains an unpaired surrogate") from None


def as_object(value: object, path: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise InvalidInput(path or "body", "must be a JSON object")
    return value


def as_list(value: object, path: str, *, max_items: int | None = None) -> list[object]:
    if not isinstance(value, list):
        raise InvalidInput(path, "must be a JSON array")
    if max_items is not None and len(value) > max_items:
        raise InvalidInput(path, f"must have at most {max_items} items")
    return value


def as_str(value: object, path: str, *, max_len: int, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(path, "must be a string")
    if not allow_empty and not value.strip():
        raise InvalidInput(path, "must not be empty")
    if len(value) > max_len:
        raise InvalidInput(path, f"must be at most {max_len} characters")
    return value


def opt_object(obj: dict[str, object], key: str, path: str) -> dict[str, object] | None:
    value = obj.get(key)
    return None if value is None else as_object(value, join(path, key))


def opt_list(
    obj: dict[str, object], key: str, path: str, *, max_items: int | None = None
) -> list[object]:
    """A missing or null array reads as empty."""
    value = obj.get(key)
    return [] if value is None else as_list(value, join(path, key), max_items=max_items)


def opt_str(
    obj: dict[str, object], key: str, path: str, *, max_len: int, allow_empty: bool = False
) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    return as_str(value, join(path, key), max_len=max_len, allow_empty=allow_empty)


def req_str(obj: dict[str, object], key: str, path: str, *, max_len: int) -> str:
    value = obj.get(key)
    if value is None:
        raise InvalidInput(join(path, key), "is required")
    return as_str(value, join(path, key), max_len=max_len)


def opt_int(obj: dict[str, object], key: str, path: str, *, minimum: int = 0) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    # bool is an int subclass; `true` is not a line number.
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InvalidInput(join(path, key), f"must be an integer >= {minimum}")
    if value > 2**31:
        raise InvalidInput(join(path, key), "is too large")
    return value


def each_str(
    obj: dict[str, object], key: str, path: str, *, max_items: int, max_len: int
) -> Iterator[tuple[str, str]]:
    """Yield ``(string, its path)`` for each item of an optional array of strings."""
    list_path = join(path, key)
    for i, value in enumerate(opt_list(obj, key, path, max_items=max_items)):
        item_path = index(list_path, i)
        yield as_str(value, item_path, max_len=max_len), item_path


def opt_index(obj: dict[str, object], key: str, path: str) -> int | None:
    """An array index as SARIF writes them: absent or -1 mean "not given"."""
    value = opt_int(obj, key, path, minimum=-1)
    return None if value == -1 else value


def reject_unknown_keys(
    obj: dict[str, object], allowed: frozenset[str], path: str, *, allow_x: bool = False
) -> None:
    """Strict objects: any member not in ``allowed`` (or ``x_``-prefixed when ``allow_x``) is
    an error. The key is named in the field path only when it looks like an identifier."""
    for key in obj:
        if key in allowed or (allow_x and key.startswith("x_")):
            continue
        safe = key if key.isascii() and key.isidentifier() and len(key) <= 40 else None
        raise InvalidInput(join(path, safe) if safe else (path or "body"), "unknown field")
