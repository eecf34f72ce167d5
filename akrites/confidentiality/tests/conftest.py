"""A case whose maintainers were notified: its embargo clock runs."""

from __future__ import annotations

from typing import Any

import pytest

from akrites.access.tests.conftest import move


@pytest.fixture
def notified(case: Any, sirt: Any, maintainer: Any) -> Any:
    return move(case, sirt, maintainer, "notify_maintainers")
