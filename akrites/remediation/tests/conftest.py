"""Fixtures for remediation tests: a case at any status, a small git repository, diffs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from akrites.cases.models import Case
from akrites.cases.services import case_transition

LOADER = "def load(text):\n    return parse(text, entities=True)\n"

GOOD_DIFF = """--- a/yamlkit/loader.py
+++ b/yamlkit/loader.py
@@ -1,2 +1,2 @@
 def load(text):
-    return parse(text, entities=True)
+    return parse(text, entities=False)
"""

OTHER_DIFF = """--- a/yamlkit/loader.py
+++ b/yamlkit/loader.py
@@ -1,2 +1,3 @@
 def load(text):
-    return parse(text, entities=True)
+    limit_expansion(text)
+    return parse(text, entities=True, max_depth=10)
"""

WRONG_FILES_DIFF = """--- a/src/missing.py
+++ b/src/missing.py
@@ -1 +1 @@
-old
+new
"""

STALE_DIFF = """--- a/yamlkit/loader.py
+++ b/yamlkit/loader.py
@@ -1,2 +1,2 @@
 def load(text):
-    return something_else(text)
+    return parse(text, entities=False)
"""


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return result.stdout


@pytest.fixture
def repo(tmp_path):
    """A one-commit git repository with yamlkit/loader.py."""
    path = tmp_path / "yamlkit"
    (path / "yamlkit").mkdir(parents=True)
    (path / "yamlkit" / "loader.py").write_text(LOADER)
    git("init", "--quiet", "--initial-branch=main", cwd=path)
    git("add", ".", cwd=path)
    git("commit", "--quiet", "-m", "initial", cwd=path)
    return path


def move_to(case: Case, *names: str, actor) -> Case:
    for name in names:
        case_transition(actor=actor, case=case, name=name, reason="because")
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def notified(case, system) -> Case:
    """``case`` accepted and its maintainers notified."""
    return move_to(case, "accept", "notify_maintainers", actor=system)


@pytest.fixture
def acknowledged(notified, system) -> Case:
    return move_to(notified, "acknowledge", actor=system)
