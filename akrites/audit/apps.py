from datetime import timedelta

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "akrites.audit"
    label = "audit"

    def ready(self) -> None:
        from akrites.core.env import env_int
        from akrites.core.periodic import register

        # The entries after the newest checkpoint are the ones a cut could remove unseen:
        # five minutes of them at most by default.
        every = env_int("AKRITES_AUDIT_CHECKPOINT_SECONDS", 300, minimum=10)
        register(
            "audit.checkpoint",
            every=timedelta(seconds=every),
            task="akrites.audit.tasks.checkpoint",
        )
