"""Writes for notifications. Other apps call only ``notify`` / ``notify_each`` (the outbox)."""

from akrites.notifications.services.outbox import notify, notify_each

__all__ = ["notify", "notify_each"]
