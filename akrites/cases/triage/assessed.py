"""What a severity assessment tells the layers above it.

The advisory of a case (``akrites.disclosure``, above cases) states the SIRT's severity, not
a reporter's claim: the draft is seeded with the assessment, and an assessment made after
the draft exists is carried into it through this hook, provided in ``DisclosureConfig.ready``.
"""

from __future__ import annotations

from akrites.cases.models import Case
from akrites.core.actors import Actor
from akrites.core.hooks import hook


@hook
def severity_assessed(*, actor: Actor, case: Case, previous_cvss: str, previous_cwe: str) -> None:
    """``case`` (locked, saved) has a new assessment; ``previous_*`` are the values it
    replaced ("" for none). Runs in the assessing transaction; the policy was checked."""
    raise NotImplementedError
