"""Triage: severity, priority, finder signal and quotas, SLA and EU CRA clocks.

Pure computations (``severity``, ``priority``, ``clocks``) import no models; writes are in
``services`` (and ``hooks``, called by other services in their transactions), reads in
``selectors``. Facts about reports come from intake through ``reports`` (hooks). The formula
and its weights are documented in ``docs/triage.md``.
"""
