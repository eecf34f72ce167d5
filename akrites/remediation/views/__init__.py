"""HTML views for remediation: the case's remediation room, patches, and project terms."""
