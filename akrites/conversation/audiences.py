"""The four audiences of a case message, nested: each adds parties to the one before.

A message is read by whoever the policy lets read its audience (``message.read_<audience>``
in ``access.rules``) and posted to an audience by whoever may post to it
(``message.post_<audience>``). The lists of a page ask ``readable``/``postable`` once.
"""

from __future__ import annotations

from django.db import models

from akrites.access.policy import allowed
from akrites.core.actors import Actor


class Audience(models.TextChoices):
    SIRT = "sirt", "SIRT only"
    MAINTAINERS = "maintainers", "SIRT and maintainers"
    PARTIES = "parties", "Every party, including the reporter"
    MEMBERS = "members", "Every party and the pre-notified members"


ORDER: tuple[str, ...] = tuple(Audience.values)


def read_action(audience: str) -> str:
    return f"message.read_{audience}"


def post_action(audience: str) -> str:
    return f"message.post_{audience}"


def readable(viewer: Actor, case: object) -> list[str]:
    """The audiences whose messages ``viewer`` may read on ``case``, narrowest first."""
    return [a for a in ORDER if allowed(viewer, read_action(a), case)]


def postable(viewer: Actor, case: object) -> list[str]:
    """The audiences ``viewer`` may post to on ``case``, narrowest first."""
    return [a for a in ORDER if allowed(viewer, post_action(a), case)]
