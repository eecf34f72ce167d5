from datetime import timedelta

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "akrites.cases"
    label = "cases"

    def ready(self) -> None:
        from akrites.core.periodic import register

        # Clock breaches are recorded within five minutes; the CRA's shortest clock is 24 h.
        register(
            "cases.record_clock_breaches",
            every=timedelta(minutes=5),
            task="akrites.cases.tasks.record_clock_breaches",
        )
