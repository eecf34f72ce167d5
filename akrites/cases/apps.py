from datetime import timedelta

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "akrites.cases"
    label = "cases"

    def ready(self) -> None:
        from akrites.access import facts
        from akrites.cases.parties import base_case_facts
        from akrites.core.periodic import register

        # The policy (below us) is told each actor's roles on a case by the case's owner.
        facts.base_case_facts.provide(base_case_facts)

        # Clock breaches are recorded within five minutes; the CRA's shortest clock is 24 h.
        register(
            "cases.record_clock_breaches",
            every=timedelta(minutes=5),
            task="akrites.cases.tasks.record_clock_breaches",
        )
