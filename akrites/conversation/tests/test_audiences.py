"""Who reads and who posts each audience: the policy's table, tried through the services.

Each row is an attack where the expectation is False: a reporter posting to the maintainers'
thread, a member reading the SIRT's notes, a pending observer, an outsider, a status link of
another case.
"""

from __future__ import annotations

from typing import Any

import pytest

from akrites.access.tests.conftest import prenotify
from akrites.conversation.audiences import ORDER
from akrites.conversation.models import Message
from akrites.conversation.selectors import thread
from akrites.conversation.services import message_post
from akrites.core.actors import ReportLink
from akrites.core.errors import NotFound, PermissionDenied

# Role → the audiences it reads (and so may post to), narrowest first.
EXPECTED: dict[str, tuple[str, ...]] = {
    "sirt": ORDER,
    "coordinator": ORDER,
    "maintainer": ("maintainers", "parties", "members"),
    "reporter": ("parties", "members"),
    "link": ("parties", "members"),
    "member_observer": ("members",),
    "pending": (),
    "outsider": (),
    "other_link": (),
    "anonymous": (),
}


@pytest.fixture
def cast(
    observed: Any,
    sirt: Any,
    coordinator: Any,
    maintainer: Any,
    reporter: Any,
    member_observer: Any,
    pending: Any,
    outsider: Any,
    orgs: dict[str, Any],
    other_case: Any,
) -> dict[str, Any]:
    from django.contrib.auth.models import AnonymousUser

    prenotify(observed, maintainer, orgs["downstream"])  # told, not accepted
    report = observed.reports.get()
    return {
        "sirt": sirt,
        "coordinator": coordinator,
        "maintainer": maintainer,
        "reporter": reporter,
        "link": ReportLink(report_id=report.public_id, case_id=observed.pk),
        "member_observer": member_observer,
        "pending": pending,
        "outsider": outsider,
        "other_link": ReportLink(report_id="R-other", case_id=other_case.pk),
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_reads_and_posts_exactly_its_audiences(who, cast, observed, sirt):
    for audience in ORDER:
        message_post(actor=sirt, case=observed, audience=audience, body=f"to {audience}")
    actor = cast[who]
    expected = EXPECTED[who]
    if expected:
        shown = [s.message.audience for s in thread(viewer=actor, case=observed).messages]
        assert shown == list(expected)
    else:
        with pytest.raises(NotFound):
            thread(viewer=actor, case=observed)
    for audience in ORDER:
        before = Message.objects.count()
        if audience in expected:
            message_post(actor=actor, case=observed, audience=audience, body="reply")
            assert Message.objects.count() == before + 1
        else:
            with pytest.raises((NotFound, PermissionDenied)):
                message_post(actor=actor, case=observed, audience=audience, body="reply")
            assert Message.objects.count() == before


def test_a_revoked_observer_loses_the_member_thread_at_once(observed, sirt, member_observer):
    from akrites.confidentiality.services import prenotify_revoke

    message_post(actor=sirt, case=observed, audience="members", body="patch is ready")
    assert thread(viewer=member_observer, case=observed).messages
    prenotify_revoke(actor=sirt, case=observed, user=member_observer)
    with pytest.raises(NotFound):
        thread(viewer=member_observer, case=observed)


def test_the_maintainers_see_nothing_before_they_are_told(case, sirt, maintainer, reporter):
    message_post(actor=sirt, case=case, audience="parties", body="Can you share the PoC?")
    assert [s.message.number for s in thread(viewer=reporter, case=case).messages] == [1]
    with pytest.raises(NotFound):
        thread(viewer=maintainer, case=case)


def test_an_unknown_audience_is_refused(notified, sirt):
    from akrites.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        message_post(actor=sirt, case=notified, audience="everyone", body="x")


def test_only_the_author_may_edit_and_only_while_they_may_post(cast, observed, maintainer, sirt):
    from akrites.access.policy import allowed

    m = message_post(actor=maintainer, case=observed, audience="maintainers", body="v1")
    assert allowed(maintainer, "message.edit", m)
    for who in ("sirt", "coordinator", "reporter", "link", "member_observer", "outsider"):
        assert not allowed(cast[who], "message.edit", m), who
    maintainer.memberships.all().delete()  # left the team: no longer a poster, nor an editor
    fresh = type(maintainer).objects.get(pk=maintainer.pk)  # roles are cached per request
    assert not allowed(fresh, "message.edit", m)
