"""The cast of the root conftest, on a case the maintainers were told of, with a member
observer who accepted the terms (``observed``) and one who has not yet (``pending``)."""

from __future__ import annotations

from typing import Any

import pytest

from akrites.access.tests.conftest import move, prenotify


@pytest.fixture
def notified(case: Any, sirt: Any, maintainer: Any) -> Any:
    return move(case, sirt, maintainer, "notify_maintainers")


@pytest.fixture
def observed(notified: Any, maintainer: Any, member_observer: Any, orgs: dict[str, Any]) -> Any:
    prenotify(notified, maintainer, orgs["member"], accept_by=member_observer)
    return notified


@pytest.fixture
def pending(orgs: dict[str, Any], system: Any) -> Any:
    """A member of the downstream organisation, told of ``observed`` but not yet agreed."""
    from akrites.orgs.services import membership_add
    from conftest import _user

    user = _user("pending")
    membership_add(actor=system, org=orgs["downstream"], user=user, role="downstream")
    return user
