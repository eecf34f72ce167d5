"""From an actor to the account behind it (``accounts.actors``)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from akrites.accounts.actors import user_of, user_or_none
from akrites.accounts.mfa import mfa_enrol_start
from akrites.accounts.models import TotpDevice
from akrites.audit.services import actor_fields
from akrites.core.errors import PermissionDenied


def test_user_or_none_is_the_user_and_none_for_a_visitor_or_a_host(reporter, system):
    assert user_or_none(reporter) is reporter
    assert user_or_none(AnonymousUser()) is None
    assert user_or_none(system) is None
    assert user_or_none(None) is None


def test_user_of_refuses_a_visitor_and_a_host(reporter, system):
    assert user_of(reporter) is reporter
    for actor in (AnonymousUser(), system):
        with pytest.raises(PermissionDenied):
            user_of(actor)


def test_every_kind_of_actor_is_audited_by_its_label(reporter, system):
    assert actor_fields(reporter) == (reporter.pk, reporter.username)
    assert actor_fields(AnonymousUser()) == (None, "anonymous")
    assert actor_fields(system) == (None, "system:test")


def test_a_host_cannot_enrol_an_authenticator_and_nothing_is_stored(db, system):
    with pytest.raises(PermissionDenied):
        mfa_enrol_start(actor=system)
    assert not TotpDevice.objects.exists()
