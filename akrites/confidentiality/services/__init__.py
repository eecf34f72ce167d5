"""Writes for confidentiality: embargoes, pre-notification grants, SBOMs."""

from akrites.confidentiality.services.consent import (
    consent_get,
    prenotify_consent,
    require_prenotify,
)
from akrites.confidentiality.services.embargo import (
    embargo_break,
    embargo_decide_extension,
    embargo_lift_approve,
    embargo_lift_propose,
    embargo_mark_exploited,
    embargo_request_extension,
    embargo_set_date,
)
from akrites.confidentiality.services.prenotify import (
    prenotify_grant,
    prenotify_revoke,
    terms_accept,
)
from akrites.confidentiality.services.sbom import sbom_register

__all__ = [
    "consent_get",
    "embargo_break",
    "embargo_decide_extension",
    "embargo_lift_approve",
    "embargo_lift_propose",
    "embargo_mark_exploited",
    "embargo_request_extension",
    "embargo_set_date",
    "prenotify_consent",
    "prenotify_grant",
    "prenotify_revoke",
    "require_prenotify",
    "sbom_register",
    "terms_accept",
]
