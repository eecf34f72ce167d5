"""Exports: a whole case as one JSON document (a face: it composes every app's selectors).

Top of the layer order with the API and the web pages, because an export gathers what
confidentiality, remediation and disclosure each know of a case.
"""
