"""Member organisations' SBOMs (CycloneDX JSON, parsed with cyclonedx-python-lib).

The document is kept encrypted; its components (versionless purl, version) are indexed so
that ``access.selectors.prenotify_candidates`` can find who runs an affected version.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from django.db import transaction
from packageurl import PackageURL

from akrites.access.policy import require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import audit_append
from akrites.confidentiality.models import Sbom, SbomComponent
from akrites.core.actors import Actor
from akrites.core.errors import InvalidInput, TooLarge
from akrites.orgs.models import Organisation, OrgKind

logger = logging.getLogger(__name__)
MAX_SBOM_BYTES = 20 * 1024 * 1024
_NOT_CYCLONEDX = "not a CycloneDX JSON SBOM (bomFormat CycloneDX, specVersion 1.2 to 1.6)"


def _schema_version(doc: dict[str, Any]) -> SchemaVersion:
    try:
        return SchemaVersion.from_version(str(doc.get("specVersion")))
    except (ValueError, KeyError):
        raise InvalidInput("document", _NOT_CYCLONEDX) from None


def parse_cyclonedx(document: bytes) -> list[tuple[str, str]]:
    """The (versionless purl, version) pairs of every component, nested ones included.

    Raises InvalidInput for anything that is not valid CycloneDX JSON; messages name the
    problem, never echo the document.
    """
    try:
        doc = json.loads(document)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("document", _NOT_CYCLONEDX) from None
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise InvalidInput("document", _NOT_CYCLONEDX)
    version = _schema_version(doc)
    if version < SchemaVersion.V1_2:
        raise InvalidInput("document", _NOT_CYCLONEDX)
    if JsonStrictValidator(version).validate_str(json.dumps(doc)) is not None:
        raise InvalidInput("document", "the CycloneDX document does not match its schema")
    try:
        bom = Bom.from_json(doc)  # type: ignore[attr-defined]
    except Exception:  # the library raises many types for malformed members
        logger.info("cyclonedx deserialisation failed")
        raise InvalidInput("document", _NOT_CYCLONEDX) from None
    return sorted(set(_pairs(_walk(bom.components))))


def _walk(components: Iterable[Component]) -> Iterator[Component]:
    for component in components:
        yield component
        yield from _walk(component.components)


def _pairs(components: Iterable[Component]) -> Iterator[tuple[str, str]]:
    for c in components:
        purl = c.purl
        if purl is None:
            continue
        key = PackageURL(type=purl.type, namespace=purl.namespace, name=purl.name).to_string()
        yield key, str(purl.version or c.version or "")


@transaction.atomic
def sbom_register(*, actor: Actor, organisation: Organisation, name: str, document: bytes) -> Sbom:
    """Store a member organisation's SBOM and index its components.

    Raises NotFound (not the organisation's own, nor the SIRT), InvalidInput (not a member or
    downstream organisation, not CycloneDX JSON), TooLarge.
    """
    require(actor, "sbom.register", organisation)
    if organisation.kind not in (OrgKind.MEMBER, OrgKind.DOWNSTREAM):
        raise InvalidInput("organisation", "SBOMs belong to member and downstream organisations")
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("name", "1 to 200 characters")
    if len(document) > MAX_SBOM_BYTES:
        raise TooLarge("document", f"at most {MAX_SBOM_BYTES} bytes")
    pairs = parse_cyclonedx(document)
    sbom = Sbom.objects.create(
        organisation=organisation,
        name=name,
        document=document,
        component_count=len(pairs),
        uploaded_by=user_or_none(actor),
    )
    SbomComponent.objects.bulk_create(
        SbomComponent(sbom=sbom, purl=purl[:500], version=version[:200]) for purl, version in pairs
    )
    audit_append(
        actor=actor,
        action="sbom.register",
        object_type="org",
        object_id=organisation.slug,
        data={"sbom": sbom.pk, "components": len(pairs)},
    )
    return sbom
