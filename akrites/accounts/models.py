"""People who log in. Roles come from memberships (orgs) and case participation (cases)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    display_name = models.CharField(max_length=150, blank=True)
    # IANA zone name; embargo instants are shown in UTC and in this zone.
    time_zone = models.CharField(max_length=64, default="UTC")

    def __str__(self) -> str:
        return self.display_name or self.username
