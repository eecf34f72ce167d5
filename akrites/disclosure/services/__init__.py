"""Writes for disclosure: drafting advisories, CVE ids, publication, published rejections."""

from akrites.disclosure.services.advisory import (
    advisory_create,
    advisory_reject_cve,
    advisory_reserve_cve,
    advisory_schedule,
    advisory_update,
)
from akrites.disclosure.services.publish import advisory_publish, publish_due
from akrites.disclosure.services.rejection import rejection_publish

__all__ = [
    "advisory_create",
    "advisory_publish",
    "advisory_reject_cve",
    "advisory_reserve_cve",
    "advisory_schedule",
    "advisory_update",
    "publish_due",
    "rejection_publish",
]
