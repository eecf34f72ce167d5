"""Disclosure: advisories; CVE, OSV, CSAF, OpenVEX and CycloneDX documents; public pages,
feeds, the CSAF provider layout and an OSV-compatible query API."""
