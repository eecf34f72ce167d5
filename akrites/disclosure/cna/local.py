"""A block of CVE ids reserved in advance (``AKRITES_CVE_BLOCK``).

``reserve`` returns the first id of the block for that year that no ``CveReservation`` holds;
the service inserting the reservation row is what makes it ours (a unique constraint settles
a race). ``publish`` and ``reject`` change nothing remotely: with a local block the CNA's staff
submit the records themselves, from the CVE document Akrites published.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akrites.disclosure.cna import CnaError


def _taken() -> set[str]:
    from akrites.disclosure.models import CveReservation

    return set(CveReservation.objects.values_list("cve_id", flat=True))


class LocalBlock:
    name = "local"

    def __init__(self, *, ids: list[str], taken: Callable[[], set[str]] = _taken) -> None:
        self.ids = ids
        self.taken = taken

    def reserve(self, *, year: int) -> str:
        used = self.taken()
        for cve_id in self.ids:
            if cve_id.startswith(f"CVE-{year}-") and cve_id not in used:
                return cve_id
        raise CnaError(f"the local CVE block has no free id for {year}")

    def publish(self, *, cve_id: str, cna_container: dict[str, Any]) -> None:
        if cve_id not in self.ids:
            raise CnaError("the CVE id is not from our block")

    def reject(self, *, cve_id: str, reason: str) -> None:
        if cve_id not in self.ids:
            raise CnaError("the CVE id is not from our block")
