"""Remediation on the maintainers' terms: acknowledgement, dates, private patches, stewardship."""
