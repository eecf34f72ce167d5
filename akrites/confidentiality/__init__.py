"""Confidentiality: embargoes, pre-notification, SBOM matching, embargoed reads and exports.

Above cases in the layer order. Its Django label stays ``access`` (the tables and migrations
predate the split of the policy into ``akrites.access``).
"""
