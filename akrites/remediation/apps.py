from datetime import timedelta

from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "akrites.remediation"
    label = "remediation"

    def ready(self) -> None:
        from akrites.core.periodic import register

        # The ladder and every due date (fix, disclosure) advance on this tick; it is
        # idempotent, so a tick that runs twice around a restart does nothing twice.
        register(
            "remediation.ladder",
            every=timedelta(minutes=5),
            task="akrites.remediation.tasks.run_ladder",
        )
