"""Validation of rendered documents against their standards.

Error messages name the document kind and the JSON path of the first problem, never a value:
the documents of an advisory not yet published are embargoed content.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

from akrites.core import schemas
from akrites.core.errors import Conflict

logger = logging.getLogger(__name__)


class DocumentInvalid(Conflict):
    """A rendered document does not validate: the advisory's content needs fixing."""

    code = "document_invalid"


class SchemaMissing(DocumentInvalid):
    code = "schema_missing"


@functools.lru_cache(maxsize=8)
def _schema_validator(kind: str) -> Any:
    from jsonschema.validators import validator_for

    try:
        doc = schemas.schema(kind)
    except (FileNotFoundError, KeyError):
        # The package ships the official OSV/OpenVEX schemas (akrites.core.schemas); an
        # installation without them is broken, and we cannot claim the document validates.
        raise SchemaMissing(f"the {kind} schema is missing from this installation") from None
    return validator_for(doc)(doc)


def _check_schema(kind: str, doc: dict[str, Any]) -> None:
    error = next(iter(_schema_validator(kind).iter_errors(doc)), None)
    if error is not None:
        _fail(kind, "/".join(str(p) for p in error.absolute_path) or "(root)")


def _fail(kind: str, where: str) -> None:
    logger.warning("rendered %s document invalid at %s", kind, where)
    raise DocumentInvalid(f"the {kind} document does not validate (at {where})")


def validate_document(kind: str, doc: dict[str, Any]) -> None:
    """Raise ``DocumentInvalid`` unless ``doc`` is a valid document of ``kind``."""
    if kind == "osv" or kind == "openvex":
        _check_schema(kind, doc)
    elif kind == "cve":
        from cvelib.cve_api import CveRecord, CveRecordValidationError

        # A withdrawn advisory's record is a rejected container (its own schema).
        schema = CveRecord.Schemas.CNA_REJECTED if "rejectedReasons" in doc else None
        try:
            CveRecord.validate(doc, schema)
        except CveRecordValidationError as exc:
            first = (exc.errors or [None])[0]
            _fail(kind, "/".join(str(p) for p in getattr(first, "absolute_path", [])) or "(root)")
    elif kind == "csaf":
        from csaf.csaf.v20 import validate

        report = validate(doc, preset="basic")
        if not report.overall_valid:
            _fail(kind, _csaf_failure(report))
    elif kind == "cyclonedx":
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator

        error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc))
        if error is not None:
            _fail(kind, "(schema)")
    else:
        raise ValueError(f"unknown document kind {kind!r}")


def _csaf_failure(report: Any) -> str:
    for result in getattr(report, "results", []) or []:
        if not getattr(result, "passed", True):
            return str(getattr(result, "test_id", None) or getattr(result, "id", "?"))
    return "(schema)"
