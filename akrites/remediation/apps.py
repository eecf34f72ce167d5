from datetime import timedelta

from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "akrites.remediation"
    label = "remediation"

    def ready(self) -> None:
        from akrites.access import facts
        from akrites.core.periodic import register
        from akrites.intake import hooks
        from akrites.remediation.selectors import in_stewardship
        from akrites.remediation.services.terms import scope_screen

        # Intake (below us) asks the maintainers' published scope before it opens a case.
        hooks.scope_screen.provide(scope_screen)
        # The policy (below us) asks whether the SIRT holds a case as maintainer of last resort.
        facts.in_stewardship.provide(in_stewardship)

        # The ladder and every due date (fix, disclosure) advance on this tick; it is
        # idempotent, so a tick that runs twice around a restart does nothing twice.
        register(
            "remediation.ladder",
            every=timedelta(minutes=5),
            task="akrites.remediation.tasks.run_ladder",
        )
