"""The append-only, hash-chained audit log.

Each entry's ``hash`` is SHA-256 over its canonical content and the previous entry's hash;
``seq`` is contiguous and unique, so a deleted, inserted, edited or reordered entry breaks
the chain at a point ``audit.services.audit_verify`` reports; a cut tail is detected against
the signed checkpoints (``audit.checkpoints``). Rows are written only by
``audit.services.audit_append``; database triggers refuse UPDATE and DELETE (and TRUNCATE).
"""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    # A stable label for the actor (username or "system:<component>"), kept if the user goes.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=100)
    # Identifiers and enumerations only — never report content.
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "action"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"
