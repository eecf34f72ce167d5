"""The duplicate-detection index, kept in the database so every worker shares it.

Nothing derived from report text is stored in plaintext: an entry's ``Features`` are sealed in
an ``EncryptedTextField``; postings and counters are keyed by 64-bit keyed hashes of the
tokens (``akrites.dedup.hashing``), so a raw read of these tables shows numbers only.

* ``DedupEntry``: one indexed report (key = its public id) or published advisory (key
  ``adv:<OSV id>``, or ``adv:<OSV id>/<package key>`` when the advisory names several
  packages). The case of a report entry is always read through ``report.case`` (one source
  of truth: splits and merges move reports, never entries).
* ``DedupPosting``: ``(token hash, entry)`` rows, the inverted index of rare tokens.
* ``DedupCounter``: every count the engine needs, one row per keyed hash. The hash input names
  the counter's domain, so one table (one read, one upsert per batch) holds document
  frequencies, per-package-family document frequencies, posting-list lengths, per-family
  entry counts and the total (see ``hashing.Keys``).
* ``DedupLabel``: every SIRT correction as a labelled pair, future calibration data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from akrites.core.clock import now
from akrites.core.fields import EncryptedTextField


class EntryKind(models.TextChoices):
    REPORT = "report", "Report"
    ADVISORY = "advisory", "Published advisory"


class DedupEntry(models.Model):
    key = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    report = models.OneToOneField(
        "intake.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dedup_entry",
    )
    # The published advisory's OSV id (public); empty for reports.
    advisory_id = models.CharField(max_length=100, blank=True, db_index=True)
    # Keyed hash of the package family (the engine's blocking key).
    block_hash = models.BigIntegerField()
    # Features.to_json()-compatible JSON (key order kept, see store._dump): embargoed content.
    features = EncryptedTextField()
    # engine.FEATURES_VERSION that extracted ``features`` (1 for entries written before
    # versions were recorded); older entries are re-extracted by ``akrites dedup-reindex``.
    features_version = models.PositiveSmallIntegerField(default=1)
    # What dedup decided when the entry arrived ("" for indexed-only entries) and the key of
    # the entry it matched: a SIRT split turns that pair into a "not duplicate" label.
    decision = models.CharField(max_length=20, blank=True)
    matched_key = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.key


class DedupPosting(models.Model):
    token_hash = models.BigIntegerField()
    entry = models.ForeignKey(DedupEntry, on_delete=models.CASCADE, related_name="+")

    class Meta:
        # Covering index: a posting list is read from the index alone, in one range scan.
        indexes = [models.Index(fields=["token_hash", "entry"], name="dedup_posting_token")]

    def __str__(self) -> str:
        return f"{self.token_hash}->{self.entry_id}"


class RowKey(models.BigIntegerField):  # type: ignore[type-arg]
    """A signed 64-bit primary key declared ``integer`` on SQLite, making it the rowid itself.

    A ``bigint PRIMARY KEY`` is a separate unique index on SQLite: every counter lookup would
    search two B-trees instead of one.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class DedupCounter(models.Model):
    key = RowKey(primary_key=True)
    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.n}"


class Label(models.TextChoices):
    DUPLICATE = "duplicate", "Duplicate"
    NOT_DUPLICATE = "not_duplicate", "Not a duplicate"


class DedupLabel(models.Model):
    """A pair of report (or advisory entry) keys with the SIRT's verdict on it."""

    key_a = models.CharField(max_length=300)
    key_b = models.CharField(max_length=300)
    label = models.CharField(max_length=20, choices=Label.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    # A SIRT member's words about embargoed reports: sealed like the reports themselves.
    reason = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="dedup_label_created")]

    def __str__(self) -> str:
        return f"{self.key_a} {self.label} {self.key_b}"
