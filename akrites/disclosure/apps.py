from datetime import timedelta

from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "akrites.disclosure"
    label = "disclosure"

    def ready(self) -> None:
        from akrites.cases.triage import assessed
        from akrites.core.periodic import register
        from akrites.disclosure.services import advisory_credit_finders, advisory_take_assessment
        from akrites.intake import hooks

        # Finders whose reports join a case (intake, dedup: below us) are offered credit,
        # and the SIRT's severity assessment (cases.triage) goes into the draft.
        hooks.finders_joined.provide(advisory_credit_finders)
        assessed.severity_assessed.provide(advisory_take_assessment)

        # Publication is due at an instant; a minute of lag is the promise we make.
        register(
            "disclosure.publish_due",
            every=timedelta(minutes=1),
            task="akrites.disclosure.tasks.publish_due",
        )
