"""Helpers for confidentiality tests: cases moved along the lifecycle, pre-notified observers,
and browser sessions that passed (or not) the second factor."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from akrites.cases.services import case_transition
from akrites.confidentiality.services import embargo_set_date, prenotify_grant, terms_accept
from akrites.core.clock import now

STEPS = ("accept", "notify_maintainers", "acknowledge", "start_fix", "mark_fix_ready")


def move(case: Any, sirt: Any, maintainer: Any, upto: str) -> Any:
    """Apply the lifecycle steps up to and including ``upto``."""
    by = {"acknowledge": maintainer, "start_fix": maintainer, "mark_fix_ready": maintainer}
    for step in STEPS[: STEPS.index(upto) + 1]:
        case = case_transition(actor=by.get(step, sirt), case=case, name=step)
    return case


def weekday_in(days: int) -> datetime:
    at = (now() + timedelta(days=days)).replace(hour=14, minute=0, second=0, microsecond=0)
    while at.weekday() >= 5:
        at += timedelta(days=1)
    return at


def prenotify(case: Any, maintainer: Any, org: Any, *, accept_by: Any = None, **kw: Any) -> Any:
    """Set a near embargo end, tell ``org``, and (optionally) have ``accept_by`` accept."""
    embargo_set_date(actor=maintainer, case=case, ends_at=weekday_in(14))
    grants = prenotify_grant(actor=maintainer, case=case, organisation=org, **kw)
    if accept_by is not None:
        terms_accept(actor=accept_by, case=case)
    return grants


def verified(client: Any, user: Any, *, step_up: bool = True) -> Any:
    """Sign ``client`` in as ``user`` with a confirmed authenticator, as after the code page."""
    from akrites.accounts.middleware import STEP_UP_AT
    from akrites.accounts.models import TotpDevice

    device = TotpDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TotpDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    if step_up:
        session[STEP_UP_AT] = now().timestamp()
    session.save()
    return client


def code_for(user: Any) -> str:
    """A valid current code for ``user``'s device, usable once (the device's window resets)."""
    import pyotp

    from akrites.accounts.models import TotpDevice

    device = TotpDevice.objects.get(user=user, confirmed=True)
    TotpDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return pyotp.TOTP(__import__("base64").b32encode(device.bin_key).decode()).now()


@pytest.fixture
def notified(case, sirt, maintainer):
    return move(case, sirt, maintainer, "notify_maintainers")


@pytest.fixture
def observed(notified, maintainer, member_observer, orgs):
    """A notified case whose member observer was told and accepted the terms."""
    prenotify(notified, maintainer, orgs["member"], accept_by=member_observer)
    return notified
