"""Official public schemas shipped inside the package (see README.md and provenance.json).

Read through ``schema(name)``; nothing at run time reads schemas from outside the package.
"""

from __future__ import annotations

import functools
import json
from importlib.resources import files
from typing import Any

# The schemas Akrites validates against, by the name callers use.
FILES = {
    "osv": "osv-schema.json",
    "openvex": "openvex-schema.json",
    "sarif": "sarif-schema-2.1.0.json",
}


def schema_bytes(filename: str) -> bytes:
    """The exact bytes of a shipped schema file (raises FileNotFoundError if absent)."""
    return files(__package__).joinpath(filename).read_bytes()


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """The parsed schema ``name`` (a key of ``FILES``)."""
    parsed: dict[str, Any] = json.loads(schema_bytes(FILES[name]))
    return parsed


def provenance() -> dict[str, dict[str, str]]:
    """Upstream, licence and SHA-256 of every shipped schema file."""
    loaded: dict[str, dict[str, str]] = json.loads(schema_bytes("provenance.json"))
    return loaded
