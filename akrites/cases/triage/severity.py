"""CVSS 3.1 / 4.0 scoring and CWE names, through the field's own libraries.

Pure functions, no database. ``cvss`` scores both versions; its ``CVSS4.as_json()`` is not
schema-conformant (upstream issue #74), so ``Severity.as_json`` builds the CVSS 4.0 JSON
itself. CWE names come from the catalogue bundled with ``csaf`` (kept current with MITRE).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError

from akrites.core.errors import InvalidInput

MAX_VECTOR_CHARS = 300
_CWE_RE = re.compile(r"(?i)^cwe-([0-9]{1,7})$")


@dataclass(frozen=True)
class Severity:
    """A parsed base vector: canonical ``vector``, ``version`` ("3.1" or "4.0"), ``score``
    (0.0 to 10.0, one decimal) and the qualitative ``rating`` (None … Critical)."""

    vector: str
    version: str
    score: Decimal
    rating: str

    def as_json(self) -> dict[str, Any]:
        """The CVSS JSON object (``cvssV3_1`` / ``cvssV4_0`` shape used by CVE and OSV)."""
        return {
            "version": self.version,
            "vectorString": self.vector,
            "baseScore": float(self.score),
            "baseSeverity": self.rating.upper(),
        }


def parse_cvss(value: str, *, field: str = "vector") -> Severity:
    """Parse and score a CVSS 3.1 or 4.0 base vector.

    Raises ``InvalidInput(field)``: empty, too long, another version (2.0 and 3.0 are
    refused: advisories carry 3.1 or 4.0 only) or a malformed vector.
    """
    vector = value.strip()
    if not vector:
        raise InvalidInput(field, "a CVSS vector is required")
    if len(vector) > MAX_VECTOR_CHARS:
        raise InvalidInput(field, "is not a valid CVSS vector")
    try:
        if vector.startswith("CVSS:3.1/"):
            v3 = CVSS3(vector)
            return Severity(
                vector=str(v3.clean_vector()),
                version="3.1",
                score=Decimal(str(v3.scores()[0])),
                rating=str(v3.severities()[0]),
            )
        if vector.startswith("CVSS:4.0/"):
            v4 = CVSS4(vector)
            return Severity(
                vector=str(v4.clean_vector()),
                version="4.0",
                score=Decimal(str(v4.base_score)),
                rating=str(v4.severity),
            )
    except CVSSError as exc:
        raise InvalidInput(field, f"is not a valid CVSS vector: {_reason(exc)}") from None
    except Exception:  # anything odd from hostile input is still just an invalid vector
        raise InvalidInput(field, "is not a valid CVSS vector") from None
    raise InvalidInput(field, "must be a CVSS 3.1 or 4.0 vector (CVSS:3.1/… or CVSS:4.0/…)")


def _reason(exc: Exception) -> str:
    # The library's messages name metrics and values, never more than the vector itself.
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def score_or_none(vector: str) -> Severity | None:
    """``parse_cvss`` for values already validated elsewhere (intake); None when unusable."""
    try:
        return parse_cvss(vector)
    except InvalidInput:
        return None


@functools.cache
def _cwe_lookup() -> Callable[[str], Any]:
    # Imported lazily: loading the csaf package and its catalogue takes about a second.
    from csaf import cwe_entry

    return cwe_entry  # type: ignore[no-any-return]


def cwe_name(value: str, *, field: str = "cwe") -> tuple[str, str]:
    """``"cwe-079"`` → ``("CWE-79", "Improper Neutralization …")``.

    Raises ``InvalidInput(field)`` for a malformed id or one not in the CWE catalogue.
    """
    match = _CWE_RE.match(value.strip())
    if not match:
        raise InvalidInput(field, "must look like CWE-<number>")
    canonical = f"CWE-{int(match.group(1))}"
    try:
        entry = _cwe_lookup()(canonical)
    except ValueError:
        raise InvalidInput(field, f"{canonical} is not in the CWE catalogue") from None
    return canonical, str(entry.name)
