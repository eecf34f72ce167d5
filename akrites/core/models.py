"""Shared model base."""

from __future__ import annotations

from django.db import models

from akrites.core.clock import now


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        abstract = True
