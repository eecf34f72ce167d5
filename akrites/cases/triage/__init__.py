"""Triage: severity, priority, finder signal and quotas, SLA and EU CRA clocks.

Pure computations (``severity``, ``priority``, ``clocks``) import no models; writes are in
``services`` (and ``signal`` for the intake quota check), reads in ``selectors``. The
formula and its weights are documented in ``docs/triage.md``.
"""
