from datetime import timedelta

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "akrites.notifications"
    label = "notifications"

    def ready(self) -> None:
        from django.conf import settings

        from akrites.core import outbox
        from akrites.core.periodic import register
        from akrites.notifications.services import notify, notify_each

        # Every layer below records events through core.outbox; this app is the outbox.
        outbox.notify.provide(notify)
        outbox.notify_each.provide(notify_each)

        # Deliveries due for a retry and events whose on-commit enqueue was lost; digests when
        # their window opens. Both jobs are idempotent (every row is claimed conditionally).
        register(
            "notifications.sweep",
            every=timedelta(seconds=settings.AKRITES_NOTIFY_SWEEP_SECONDS),
            task="akrites.notifications.tasks.sweep",
        )
        register(
            "notifications.digests",
            every=timedelta(seconds=settings.AKRITES_NOTIFY_SWEEP_SECONDS),
            task="akrites.notifications.tasks.send_digests",
        )
