"""Publishing for the browser journey. The disclosure app has no publish form yet, so the
journey publishes through the same services the API uses, as the SIRT's tooling would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from akrites.core import clock
from akrites.core.actors import SystemActor
from akrites.disclosure.instant import disclosure_instant
from akrites.disclosure.services import advisory_create, advisory_publish, advisory_update
from akrites.disclosure.tests.conftest import CONTENT, _pem


def publish(case: Any, sirt: Any, monkeypatch: Any) -> str:
    """Draft, complete and publish the case's advisory once its disclosure instant passes;
    return the public id."""
    monkeypatch.setenv("AKRITES_SIGNING_KEY", _pem())
    actor = SystemActor("browser-journey")
    advisory = advisory_create(actor=actor, case=case)
    advisory_update(actor=actor, advisory=advisory, changes=CONTENT)
    instant = disclosure_instant(case)
    assert instant is not None
    with clock.frozen(instant + timedelta(seconds=1)):
        public = advisory_publish(actor=actor, case=case)
    return str(public.public_id)
