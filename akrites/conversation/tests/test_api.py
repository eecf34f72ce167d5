"""``/api/v1/cases/{id}/messages``: the same policy as the pages, by token and by session."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from akrites.accounts.tokens import token_issue
from akrites.conversation.models import Message


def _bearer(system: Any, user: Any, *scopes: str) -> dict[str, str]:
    issued = token_issue(actor=system, user=user, name="t", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}


def _post(client: Client, case: Any, payload: dict[str, Any], **headers: Any) -> Any:
    return client.post(
        f"/api/v1/cases/{case.human_id}/messages",
        data=json.dumps(payload),
        content_type="application/json",
        **headers,
    )


def test_a_maintainer_posts_and_reads_by_token_with_the_converse_scope(
    notified, maintainer, system
):
    auth = _bearer(system, maintainer, "converse")
    client = Client()
    files = [{"name": "fix.diff", "content_base64": base64.b64encode(b"--- a\n").decode()}]
    created = _post(
        client,
        notified,
        {"audience": "maintainers", "body": "We have a *fix*.", "attachments": files},
        **auth,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == 1 and body["html"] == "<p>We have a <em>fix</em>.</p>\n"
    listed = client.get(f"/api/v1/cases/{notified.human_id}/messages", **auth).json()
    assert [m["body"] for m in listed["messages"]] == ["We have a *fix*."]
    assert listed["may_post_to"] == ["maintainers", "parties", "members"]
    att = listed["messages"][0]["attachments"][0]
    got = client.get(f"/api/v1/cases/{notified.human_id}/messages/attachments/{att['id']}", **auth)
    assert got.content == b"--- a\n" and got["Content-Type"] == "application/octet-stream"
    assert "fix.diff" not in got["Content-Disposition"]  # the name is embargoed too


def test_a_read_token_reads_but_cannot_post(notified, maintainer, system, sirt):
    from akrites.conversation.services import message_post

    message_post(actor=sirt, case=notified, audience="maintainers", body="hello")
    auth = _bearer(system, maintainer, "read")
    client = Client()
    assert client.get(f"/api/v1/cases/{notified.human_id}/messages", **auth).status_code == 200
    refused = _post(client, notified, {"audience": "maintainers", "body": "x"}, **auth)
    assert refused.status_code == 403 and Message.objects.count() == 1


def test_a_submit_token_may_not_even_read(notified, reporter, system):
    auth = _bearer(system, reporter, "submit")
    got = Client().get(f"/api/v1/cases/{notified.human_id}/messages", **auth)
    assert got.status_code in {403, 404}


@pytest.mark.parametrize(
    "payload",
    [{"audience": "maintainers", "body": "x"}, {"audience": "sirt", "body": "x"}, {}],
)
def test_the_reporter_cannot_post_beyond_their_audiences(notified, reporter, system, payload):
    auth = _bearer(system, reporter, "converse")
    got = _post(Client(), notified, payload, **auth)
    assert got.status_code in {403, 422} and not Message.objects.exists()


def test_an_outsider_gets_404_whatever_it_sends(notified, outsider, system):
    auth = _bearer(system, outsider, "converse")
    client = Client()
    for payload in ({"audience": "parties", "body": "x"}, {"audience": 5}, {}):
        assert _post(client, notified, payload, **auth).status_code == 404
    assert client.get(f"/api/v1/cases/{notified.human_id}/messages", **auth).status_code == 404
    assert not Message.objects.exists()


def test_edit_by_api_keeps_versions(notified, maintainer, system):
    auth = _bearer(system, maintainer, "converse")
    client = Client()
    _post(client, notified, {"audience": "maintainers", "body": "first"}, **auth)
    edited = client.patch(
        f"/api/v1/cases/{notified.human_id}/messages/1",
        data=json.dumps({"body": "second"}),
        content_type="application/json",
        **auth,
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    versions = client.get(f"/api/v1/cases/{notified.human_id}/messages/1/versions", **auth)
    assert [v["body"] for v in versions.json()] == ["first"]


def test_unread_state_by_api(notified, maintainer, sirt, system):
    from akrites.conversation.services import message_post

    message_post(actor=sirt, case=notified, audience="maintainers", body="one")
    auth = _bearer(system, maintainer, "converse")
    client = Client()
    url = f"/api/v1/cases/{notified.human_id}/messages"
    assert client.get(url, **auth).json()["unread"] == 1
    marked = client.post(
        f"{url}/read", data=json.dumps({"upto": 1}), content_type="application/json", **auth
    )
    assert marked.status_code == 204
    assert client.get(url, **auth).json()["unread"] == 0


def test_bad_base64_is_a_clear_422(notified, maintainer, system):
    auth = _bearer(system, maintainer, "converse")
    bad = [{"name": "a", "content_base64": "!!!"}]
    got = _post(
        Client(), notified, {"audience": "maintainers", "body": "x", "attachments": bad}, **auth
    )
    assert got.status_code == 422 and not Message.objects.exists()
