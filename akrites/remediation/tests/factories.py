"""Objects other apps' tests need from remediation (e.g. the outsider test's patch id)."""

from __future__ import annotations

from typing import Any

DIFF = """--- a/yamlkit/loader.py
+++ b/yamlkit/loader.py
@@ -1,2 +1,2 @@
 def load(text):
-    return parse(text, entities=True)
+    return parse(text, entities=False)
"""


def a_patch_id(case: Any) -> str:
    """The public id of a fresh patch proposed on ``case`` by the platform."""
    from akrites.core.actors import SystemActor
    from akrites.remediation.services import patch_propose

    actor = SystemActor("test")
    return str(patch_propose(actor=actor, case=case, title="fix", diff=DIFF).public_id)
