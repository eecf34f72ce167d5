"""E-mail addresses: set unverified, confirmed by a single-use, expiring link for one account
and one address. Each attack on the link is refused and changes nothing."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from akrites.accounts.addresses import email_mark_verified, email_set
from akrites.accounts.models import EmailConfirmation, User
from akrites.audit.models import AuditEntry
from akrites.core.clock import advance
from akrites.core.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^/\s]+(/account/email/confirm/[A-Za-z0-9_-]+/)")


def _set(client, capture, address):
    mail.outbox.clear()
    with capture(execute=True):
        r = client.post("/notifications/preferences/", {"email": address})
    assert r.status_code == 302, r.content
    (message,) = mail.outbox
    assert message.to == [address]
    return LINK.search(message.body).group(1)


def _confirm(client, link):
    return client.post(link)


def _fresh(user):
    return User.objects.get(pk=user.pk)


def test_address_is_stored_unverified_until_the_mailed_link_is_confirmed(
    login, reporter, django_capture_on_commit_callbacks
):
    client = login(reporter)
    link = _set(client, django_capture_on_commit_callbacks, "rita@example.org")
    user = _fresh(reporter)
    assert user.email == "rita@example.org" and not user.has_verified_email
    assert client.get(link).status_code == 200  # a link scanner's GET confirms nothing
    assert not _fresh(reporter).has_verified_email
    r = _confirm(client, link)
    assert r.status_code == 302 and r["Location"] == "/notifications/preferences/"
    assert _fresh(reporter).has_verified_email
    actions = list(
        AuditEntry.objects.filter(object_id=str(reporter.pk), action__startswith="account.email")
        .order_by("pk")
        .values_list("action", "data")
    )
    assert actions == [
        ("account.email_set", {"address": "rita@example.org", "previous": ""}),
        ("account.email_confirm", {"address": "rita@example.org"}),
    ]


def test_only_a_digest_of_the_token_is_stored(login, reporter, django_capture_on_commit_callbacks):
    link = _set(login(reporter), django_capture_on_commit_callbacks, "rita@example.org")
    token = link.rstrip("/").rsplit("/", 1)[1]
    (row,) = EmailConfirmation.objects.values()
    assert len(token) == 43 and all(token not in str(v) for v in row.values())


def test_another_users_token_is_refused(
    client, reporter, outsider, django_capture_on_commit_callbacks
):
    client.force_login(reporter)
    link = _set(client, django_capture_on_commit_callbacks, "rita@example.org")
    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/notifications/preferences/", {"email": "rita@example.org"})
    r = _confirm(client, link)
    assert r.status_code == 422 and b"not valid" in r.content
    assert not _fresh(outsider).has_verified_email
    assert not _fresh(reporter).has_verified_email
    assert AuditEntry.objects.filter(
        action="account.email_confirm_refused", object_id=str(outsider.pk)
    ).exists()


def test_a_replayed_token_is_refused(login, reporter, django_capture_on_commit_callbacks):
    client = login(reporter)
    link = _set(client, django_capture_on_commit_callbacks, "rita@example.org")
    assert _confirm(client, link).status_code == 302
    assert _confirm(client, link).status_code == 422


def test_an_expired_token_is_refused(login, reporter, django_capture_on_commit_callbacks):
    client = login(reporter)
    link = _set(client, django_capture_on_commit_callbacks, "rita@example.org")
    advance(timedelta(hours=48, seconds=1))
    client = login(reporter)  # the session itself timed out meanwhile
    assert _confirm(client, link).status_code == 422
    assert not _fresh(reporter).has_verified_email


def test_a_token_for_the_old_address_is_refused_after_a_change(
    login, reporter, django_capture_on_commit_callbacks
):
    client = login(reporter)
    old = _set(client, django_capture_on_commit_callbacks, "rita@example.org")
    new = _set(client, django_capture_on_commit_callbacks, "rita@elsewhere.example")
    assert _confirm(client, old).status_code == 422
    assert not _fresh(reporter).has_verified_email
    assert _confirm(client, new).status_code == 302
    assert _fresh(reporter).email_verified == "rita@elsewhere.example"


def test_changing_a_verified_address_needs_confirming_again(
    login, reporter, django_capture_on_commit_callbacks
):
    client = login(reporter)
    assert _confirm(client, _set(client, django_capture_on_commit_callbacks, "a@example.org"))
    assert _fresh(reporter).has_verified_email
    _set(client, django_capture_on_commit_callbacks, "b@example.org")
    assert not _fresh(reporter).has_verified_email


def test_a_malformed_or_guessed_token_is_refused(login, reporter):
    client = login(reporter)
    email_set(actor=reporter, address="rita@example.org")
    for token in ("x" * 43, "short", "A" * 200):
        assert _confirm(client, f"/account/email/confirm/{token}/").status_code == 422
    assert not _fresh(reporter).has_verified_email


def test_an_address_written_past_the_service_is_unverified(reporter, system):
    email_mark_verified(actor=system, user=reporter, address="rita@example.org")
    user = _fresh(reporter)
    assert user.has_verified_email
    user.email = "mallory@example.org"  # e.g. the admin site
    user.save()
    assert not _fresh(reporter).has_verified_email


def test_nobody_but_the_operator_marks_an_address_verified(reporter, sirt):
    with pytest.raises((NotFound, PermissionDenied)):
        email_mark_verified(actor=sirt, user=reporter, address="rita@example.org")
    with pytest.raises((NotFound, PermissionDenied)):
        email_mark_verified(actor=reporter, user=reporter, address="rita@example.org")


def test_an_invalid_address_changes_nothing(login, reporter):
    r = login(reporter).post("/notifications/preferences/", {"email": "not an address"})
    assert r.status_code == 200 and b"valid e-mail" in r.content
    assert _fresh(reporter).email == "" and not EmailConfirmation.objects.exists()


def test_the_confirmation_page_needs_a_signed_in_user(client):
    r = client.post("/account/email/confirm/" + "x" * 43 + "/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_send_again_supersedes_the_earlier_link(
    login, reporter, django_capture_on_commit_callbacks
):
    client = login(reporter)
    first = _set(client, django_capture_on_commit_callbacks, "rita@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/notifications/preferences/", {"email": "rita@example.org", "resend": "1"})
    second = LINK.search(mail.outbox[0].body).group(1)
    assert first != second and _confirm(client, first).status_code == 422  # superseded
    assert _confirm(client, second).status_code == 302
    assert not EmailConfirmation.objects.filter(used_at__isnull=True).exists()
