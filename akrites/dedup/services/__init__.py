"""Writes of the dedup app: deciding and indexing intake batches, SIRT corrections, imports."""

from akrites.dedup.services.advisories import ImportCounts, advisories_import
from akrites.dedup.services.decide import (
    DedupItem,
    DedupOutsideTransaction,
    DedupResult,
    dedup_decide_batch,
    dedup_index_batch,
)
from akrites.dedup.services.merge import case_merge, report_split
from akrites.dedup.writer import IndexEntry

__all__ = [
    "DedupItem",
    "DedupOutsideTransaction",
    "DedupResult",
    "ImportCounts",
    "IndexEntry",
    "advisories_import",
    "case_merge",
    "dedup_decide_batch",
    "dedup_index_batch",
    "report_split",
]
