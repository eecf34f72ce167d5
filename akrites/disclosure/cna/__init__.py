"""CNA work behind one small interface: reserve a CVE id, publish a record, reject an id.

Two implementations: ``LocalBlock`` hands out ids from a block the CNA was given (records are
then submitted by the CNA's staff), ``CveServicesBackend`` talks to CVE Services through
cvelib. Services record what happened (``CveReservation``); backends hold no state of their own.
"""

from __future__ import annotations

from typing import Any, Protocol

from akrites.core.errors import AkritesError


class CnaError(AkritesError):
    """The CNA backend could not do what was asked; nothing was changed on our side."""

    code = "cna_error"
    http_status = 502


class CnaBackend(Protocol):
    name: str

    def reserve(self, *, year: int) -> str:
        """Reserve one CVE id for ``year`` and return it. Raises CnaError."""
        ...

    def publish(self, *, cve_id: str, cna_container: dict[str, Any]) -> None:
        """Publish (or update) the record of ``cve_id``. Raises CnaError."""
        ...

    def reject(self, *, cve_id: str, reason: str) -> None:
        """Reject a reserved id (it will never name a vulnerability), or the published record
        of a withdrawn advisory. Raises CnaError."""
        ...


def cna_backend() -> CnaBackend | None:
    """The configured backend, or None when this installation does no CVE work."""
    from akrites.disclosure import conf

    name = conf.cna_backend_name()
    if name == "local":
        from akrites.disclosure.cna.local import LocalBlock

        return LocalBlock(ids=conf.cve_block())
    if name == "cve-services":
        from akrites.disclosure.cna.cve_services import from_environment

        return from_environment()
    return None


__all__ = ["CnaBackend", "CnaError", "cna_backend"]
