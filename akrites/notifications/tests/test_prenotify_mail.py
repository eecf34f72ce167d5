"""The mail telling a member they were pre-notified: a link to the terms, nothing of the case,
not even encrypted (they have not accepted the embargo terms yet)."""

import email

import pytest

from akrites.access.tests.conftest import move, weekday_in
from akrites.confidentiality.services import embargo_set_date, prenotify_grant
from akrites.notifications.services.preferences import preference_update
from akrites.notifications.tests.helpers import give_address, run_all

pytestmark = pytest.mark.django_db


def test_encrypted_notice_of_a_grant_carries_no_title(
    case, sirt, maintainer, member_observer, orgs, smtp, pgp, rcpt_keyring
):
    case = move(case, sirt, maintainer, "notify_maintainers")
    embargo_set_date(actor=maintainer, case=case, ends_at=weekday_in(14))
    give_address(member_observer, "observer@example.org")
    preference_update(actor=member_observer, digest_only=False, openpgp_key=pgp.valid)
    prenotify_grant(actor=maintainer, case=case, organisation=orgs["member"])
    assert "delivered" in run_all("email")
    [envelope] = [m for m in smtp.messages if m.rcpt_tos == ["observer@example.org"]]
    text = pgp.decrypt(email.message_from_bytes(envelope.content).get_payload(decode=True).decode())
    assert f"/cases/{case.human_id}/terms/" in text
    assert case.title not in text and "yamlkit" not in text
