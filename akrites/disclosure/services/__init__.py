"""Writes for disclosure: drafting advisories, CVE ids, approval, publication, revision and
withdrawal, published rejections. State changes follow ``disclosure.lifecycle``."""

from akrites.disclosure.services.advisory import (
    advisory_create,
    advisory_credit_finders,
    advisory_reject_cve,
    advisory_reserve_cve,
    advisory_schedule,
    advisory_take_assessment,
    advisory_uncredit_finders,
    advisory_update,
)
from akrites.disclosure.services.approval import advisory_approve, advisory_withdraw_approval
from akrites.disclosure.services.publish import advisory_publish, publish_due
from akrites.disclosure.services.rejection import rejection_publish
from akrites.disclosure.services.revision import advisory_revise, advisory_withdraw

__all__ = [
    "advisory_approve",
    "advisory_create",
    "advisory_credit_finders",
    "advisory_publish",
    "advisory_reject_cve",
    "advisory_reserve_cve",
    "advisory_revise",
    "advisory_schedule",
    "advisory_take_assessment",
    "advisory_uncredit_finders",
    "advisory_update",
    "advisory_withdraw",
    "advisory_withdraw_approval",
    "publish_due",
    "rejection_publish",
]
